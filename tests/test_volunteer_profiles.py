"""Volunteer profiles: a volunteer's own data (edit, download), the volunteers of a location and
a volunteer's page for coordinators, onboarding to-dos, and phone numbers kept from volunteers.

Dokkum is "our" location; Burgum's people are outsiders there (404), a Dokkum volunteer may not
see the coordinators' pages (403).
"""

import csv
import datetime
import importlib
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, Location, Membership, Role
from volunteers import profiles
from volunteers.models import (
    Assignment,
    Attendance,
    MemberRecord,
    Shift,
    Status,
    StatusChange,
    Task,
    Training,
    VolunteerProfile,
)

from .factories import MembershipFactory
from .support import log_in, make_shift

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")

MY_PROFILE = reverse("volunteers:my-profile")
MY_DATA = reverse("volunteers:my-data")
LIST_URL = reverse("volunteers:list", kwargs={"slug": "dokkum"})


def detail_url(person, slug="dokkum", name="volunteers:detail"):
    return reverse(name, kwargs={"slug": slug, "pk": person.pk})


# What coordinators record lives on the record of a membership (per location), the rest on the
# person's profile.
RECORD_FIELDS = {"status", "status_since", "vog_received_on", "buddy", "notes"}


def record_of(user, location=None):
    memberships = Membership.objects.current().filter(user=user)
    if location is not None:
        memberships = memberships.filter(location=location)
    return profiles.get_record(memberships.order_by("pk").first())


def profile_of(user, **fields):
    profile = profiles.get_profile(user)
    for name, value in fields.items():
        if name not in RECORD_FIELDS:
            setattr(profile, name, value)
    profile.save()
    recorded = {name: value for name, value in fields.items() if name in RECORD_FIELDS}
    if recorded:
        record = record_of(user)
        for name, value in recorded.items():
            setattr(record, name, value)
        record.save()
    return profile


def volunteer_in(location, first_name, **profile_fields):
    user = MembershipFactory(
        location=location, role=Role.VOLUNTEER, user__first_name=first_name
    ).user
    if profile_fields:
        profile_of(user, **profile_fields)
    return user


@pytest.fixture
def today():
    return timezone.localdate()


# A volunteer's own profile ----------------------------------------------------------------------


def test_volunteer_edits_their_contact_data_and_preferences(client, login, volunteer):
    login(volunteer)
    assert client.get(MY_PROFILE).status_code == 200

    response = client.post(
        MY_PROFILE,
        {
            "first_name": "Anneke",
            "last_name": "Bosma-de Jong",
            "phone": "06 12 34 56 78",
            "preferred_tasks": [Task.KITCHEN, Task.HOST],
            "preferred_weekdays": ["4", "2"],
            "preferred_day_parts": [DayPart.MORNING],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == MY_PROFILE
    volunteer.refresh_from_db()
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert volunteer.last_name == "Bosma-de Jong"
    assert profile.phone == "06 12 34 56 78"
    assert profile.preferred_tasks == [Task.HOST, Task.KITCHEN]
    assert profile.preferred_weekdays == [2, 4]
    assert profile.preferred_day_parts == [DayPart.MORNING]
    page = client.get(MY_PROFILE).text
    assert "Je gegevens zijn opgeslagen." in page
    assert "06 12 34 56 78" in page


def test_a_bad_phone_number_shows_the_form_again_with_what_was_typed(client, login, volunteer):
    login(volunteer)

    response = client.post(MY_PROFILE, {"first_name": "Anneke", "phone": "bel me maar"})

    assert response.status_code == 400
    assert "Vul een telefoonnummer in" in response.text
    assert 'value="bel me maar"' in response.text
    assert not VolunteerProfile.objects.filter(user=volunteer).exclude(phone="").exists()


def test_the_first_save_makes_a_profile_with_its_first_status(client, login, volunteer):
    login(volunteer)
    client.get(MY_PROFILE)
    assert not VolunteerProfile.objects.filter(user=volunteer).exists()  # looking makes nothing
    client.post(MY_PROFILE, {"first_name": "Anneke"})
    assert VolunteerProfile.objects.filter(user=volunteer).exists()
    # The status is per location: without a record the membership counts as aspirant.
    page = client.get(MY_PROFILE)
    assert [row["record"].status for row in page.context["memberships"]] == [Status.ASPIRANT]


# Downloading one's own data --------------------------------------------------------------------


@pytest.fixture
def history(volunteer, other_volunteer, coordinator, dokkum, burgum, today):
    """The volunteer's profile, training, shifts (one cancelled late, one no-show) and logbook
    entry; and a colleague on the same shift whose data must never show up."""
    colleague = volunteer_in(dokkum, "Tjitske", phone="0699999999", notes="Geheim")
    colleague.last_name = "Colleganaam"
    colleague.save()
    profile = profile_of(
        volunteer,
        phone="0612345678",
        notes="Rijdt graag.",
        vog_received_on=today - datetime.timedelta(days=30),
        buddy=colleague,
    )
    profiles.change_status(
        membership=Membership.objects.current().get(user=volunteer),
        status=Status.ACTIVE,
        since=today,
        changed_by=coordinator,
    )
    Training.objects.create(profile=profile, name="EHBO", followed_on=datetime.date(2025, 5, 1))
    past = make_shift(dokkum, today - datetime.timedelta(days=7))
    Assignment.objects.create(shift=past, volunteer=volunteer, attendance=Attendance.NO_SHOW)
    Assignment.objects.create(shift=past, volunteer=colleague, attendance=Attendance.ATTENDED)
    coming = make_shift(dokkum, today + datetime.timedelta(days=1), Task.KITCHEN)
    Assignment.objects.create(
        shift=coming,
        volunteer=volunteer,
        cancelled_at=timezone.now(),
        cancelled_by=volunteer,
        cancel_reason="Ziek",
        cancelled_late=True,
    )
    Assignment.objects.create(shift=coming, volunteer=colleague, cancel_reason="")
    # Someone else's shift at another location.
    Assignment.objects.create(
        shift=make_shift(burgum, today, Task.SHIFT_LEAD), volunteer=other_volunteer
    )
    profile_of(other_volunteer, phone="0688888888")
    from locations.models import LogEntry

    LogEntry.objects.create(location=dokkum, text="Lamp in de keuken kapot", author=volunteer)
    LogEntry.objects.create(location=dokkum, text="Iemand anders schreef dit", author=colleague)
    return {"colleague": colleague}


def test_json_download_holds_all_of_the_persons_data_and_nothing_of_others(
    client, login, volunteer, other_volunteer, history
):
    login(volunteer)

    response = client.get(MY_DATA, {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == volunteer.email
    assert data["profile"]["phone"] == "0612345678"
    (dokkum_record,) = data["per_location"]  # what Dokkum recorded
    assert dokkum_record["notes"] == "Rijdt graag."
    assert dokkum_record["buddy"] == "Tjitske"
    assert [c["status"] for c in dokkum_record["status_history"]] == ["aspirant", "active"]
    assert data["trainings"] == [{"name": "EHBO", "followed_on": "2025-05-01"}]
    assert [m["location"] for m in data["memberships"]] == ["Buurtkamer Dokkum"]
    assert len(data["assignments"]) == 2
    cancelled = next(a for a in data["assignments"] if a["cancelled_at"])
    assert cancelled["cancel_reason"] == "Ziek" and cancelled["cancelled_late"] is True
    assert cancelled["task"] == Task.KITCHEN
    assert any(a["attendance"] == "no_show" for a in data["assignments"])
    assert [e["text"] for e in data["logbook_entries"]] == ["Lamp in de keuken kapot"]

    text = response.content.decode()
    colleague = history["colleague"]
    for foreign in (
        colleague.email,
        "Colleganaam",
        "0699999999",
        "Geheim",
        other_volunteer.email,
        "0688888888",
        "Iemand anders",
        "Burgum",
    ):
        assert foreign not in text


def test_csv_download_holds_the_same_data_in_one_table(
    client, login, volunteer, other_volunteer, history
):
    login(volunteer)

    response = client.get(MY_DATA, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # Dutch Excel: a byte-order mark, `;` between the columns, Dutch names and values.
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Onderdeel", "Nummer", "Veld", "Waarde"]
    cells = {(row[0], row[2], row[3]) for row in rows[1:]}
    assert ("Profiel", "Telefoon", "0612345678") in cells
    assert ("Trainingen", "Training", "EHBO") in cells
    assert ("Diensten", "Reden van afmelden", "Ziek") in cells
    assert ("Diensten", "Laat afgemeld", "ja") in cells
    assert ("Diensten", "Taak", "keuken") in cells
    assert ("Logboek", "Wat er gebeurde", "Lamp in de keuken kapot") in cells
    for foreign in (history["colleague"].email, "0699999999", other_volunteer.email, "0688888888"):
        assert foreign not in text


def test_an_unknown_download_format_is_refused(client, login, volunteer):
    login(volunteer)
    assert client.get(MY_DATA, {"format": "xml"}).status_code == 400


def test_a_person_without_a_profile_can_download_too(client, login, coordinator):
    login(coordinator)
    data = json.loads(client.get(MY_DATA).content)
    assert data["profile"] is None
    assert data["account"]["email"] == coordinator.email


# Phone numbers ---------------------------------------------------------------------------------


def test_a_volunteer_never_sees_another_volunteers_phone(
    client, login, volunteer, coordinator, dokkum, history, today
):
    colleague = history["colleague"]
    # Colleague's phone and a shared coming shift, so every page has something to show.
    Assignment.objects.create(
        shift=make_shift(dokkum, today + datetime.timedelta(days=3), Task.SHIFT_LEAD),
        volunteer=volunteer,
    )
    login(volunteer)
    pages = [
        reverse("dashboard"),
        MY_PROFILE,
        LIST_URL,
        detail_url(colleague),
        detail_url(volunteer),
        reverse("locations:detail", kwargs={"slug": "dokkum"}),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 403), page
        assert "0699999999" not in response.text, page
        assert "Geheim" not in response.text, page

    # The coordinator does see it, and the notes.
    login(coordinator)
    page = client.get(detail_url(colleague)).text
    assert "0699999999" in page and "Geheim" in page
    assert "0699999999" in client.get(LIST_URL).text


# The volunteers of a location ------------------------------------------------------------------


@pytest.fixture
def team(dokkum, today):
    """Volunteers of Dokkum in each status, with and without VOG."""
    old_vog = today - datetime.timedelta(days=4 * 365)
    return {
        "aspirant": volunteer_in(dokkum, "Aaltje", status=Status.ASPIRANT),
        "intake": volunteer_in(dokkum, "Bauke", status=Status.INTAKE),
        "active_no_vog": volunteer_in(dokkum, "Catrien", status=Status.ACTIVE),
        "active_old_vog": volunteer_in(
            dokkum,
            "Douwe",
            status=Status.ACTIVE,
            status_since=today - datetime.timedelta(days=900),
            vog_received_on=old_vog,
        ),
        "active_ok": volunteer_in(
            dokkum,
            "Eelkje",
            status=Status.ACTIVE,
            status_since=today - datetime.timedelta(days=900),
            vog_received_on=today - datetime.timedelta(days=100),
        ),
        "paused": volunteer_in(dokkum, "Fokke", status=Status.PAUSED),
        "stopped": volunteer_in(dokkum, "Geeske", status=Status.STOPPED),
    }


def test_the_list_counts_and_filters_by_status(client, login, coordinator, team, volunteer):
    login(coordinator)

    everyone = client.get(LIST_URL)
    assert everyone.status_code == 200
    for person in team.values():
        assert person.first_name in everyone.text
    statuses = {value: count for value, _label, count in everyone.context["statuses"]}
    # The fixture volunteer (no profile yet) counts as aspirant.
    assert statuses == {"aspirant": 2, "intake": 1, "active": 3, "paused": 1, "stopped": 1}

    active = client.get(LIST_URL, {"status": "active"})
    names = [row["person"].first_name for row in active.context["rows"]]
    assert names == ["Catrien", "Douwe", "Eelkje"]
    assert "geen VOG" in active.text and "ouder dan 3 jaar" in active.text
    assert "Geeske" not in active.text

    stopped = client.get(LIST_URL, {"status": "stopped"})
    assert [row["person"].first_name for row in stopped.context["rows"]] == ["Geeske"]
    # Nonsense shows everyone.
    assert len(client.get(LIST_URL, {"status": "baas"}).context["rows"]) == 8


def test_the_list_shows_buddy_and_first_shift(client, login, coordinator, team, dokkum, today):
    newcomer, buddy = team["intake"], team["active_ok"]
    profile_of(newcomer, buddy=buddy)
    first = make_shift(dokkum, today - datetime.timedelta(days=20))
    Assignment.objects.create(shift=first, volunteer=newcomer)
    Assignment.objects.create(
        shift=make_shift(dokkum, today - datetime.timedelta(days=2)), volunteer=newcomer
    )
    login(coordinator)

    rows = client.get(LIST_URL).context["rows"]

    row = next(row for row in rows if row["person"] == newcomer)
    assert row["record"].buddy == buddy
    assert row["first_shift_on"] == first.date


def test_the_list_runs_a_fixed_number_of_queries(
    client, login, coordinator, dokkum, django_assert_max_num_queries, today
):
    login(coordinator)
    volunteer_in(dokkum, "Een", status=Status.ACTIVE)
    with django_assert_max_num_queries(50) as few:
        client.get(LIST_URL)
    baseline = len(few)
    buddy = volunteer_in(dokkum, "Buddy", status=Status.ACTIVE)
    for number in range(25):
        person = volunteer_in(dokkum, f"Vrijwilliger {number}", status=Status.ACTIVE, buddy=buddy)
        Assignment.objects.create(
            shift=make_shift(dokkum, today + datetime.timedelta(days=number)), volunteer=person
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 27


def test_the_location_page_links_the_list_for_its_coordinator(client, login, coordinator):
    login(coordinator)
    page = client.get(reverse("locations:detail", kwargs={"slug": "dokkum"})).text
    assert LIST_URL in page


# A volunteer's page ----------------------------------------------------------------------------


def test_only_the_locations_coordinators_and_staff_see_a_volunteers_page(
    client, login, volunteer, other_volunteer, coordinator, other_coordinator, staff, team
):
    person = team["intake"]
    url = detail_url(person)
    for user, expected in (
        (coordinator, 200),
        (staff, 200),
        (volunteer, 403),
        (other_volunteer, 404),
        (other_coordinator, 404),
    ):
        login(user)
        assert client.get(url).status_code == expected, user

    # Someone of Burgum under Dokkum's address: not found, for staff too.
    login(staff)
    assert client.get(detail_url(other_volunteer)).status_code == 404
    login(coordinator)
    assert client.get(detail_url(other_volunteer)).status_code == 404


def test_a_volunteers_page_shows_shifts_cancellations_no_shows_and_to_dos(
    client, login, coordinator, volunteer, dokkum, history, today
):
    login(coordinator)
    Assignment.objects.create(
        shift=make_shift(dokkum, today + datetime.timedelta(days=5), Task.SHIFT_LEAD),
        volunteer=volunteer,
    )

    response = client.get(detail_url(volunteer))

    assert response.status_code == 200
    context = response.context
    assert [a.shift.task for a in context["coming"]] == [Task.SHIFT_LEAD]
    assert len(context["past"]) == 1 and len(context["no_shows"]) == 1
    assert len(context["cancelled"]) == 1 and context["late_count"] == 1
    assert "laat afgemeld" in response.text and "Ziek" in response.text
    assert "EHBO" in response.text
    assert "Rijdt graag." in response.text
    # Active for less than half a year, with a VOG and a buddy: nothing to arrange.
    assert context["todos"] == []


def test_coordinator_changes_the_status_with_a_date_and_it_is_kept_in_the_history(
    client, login, coordinator, team, today
):
    person = team["intake"]
    profile_of(person, status_since=today - datetime.timedelta(days=10))
    login(coordinator)
    since = today - datetime.timedelta(days=3)

    response = client.post(
        detail_url(person, name="volunteers:change-status"),
        {"status": Status.ACTIVE, "since": since.isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(detail_url(person))
    record = record_of(person)
    assert (record.status, record.status_since) == (Status.ACTIVE, since)
    change = StatusChange.objects.filter(record=record).latest("changed_at")
    assert (change.status, change.since, change.changed_by) == (Status.ACTIVE, since, coordinator)
    page = client.get(detail_url(person)).text
    assert "is nu actief" in page


def test_stopping_someone_with_coming_shifts_warns_the_coordinator(
    client, login, coordinator, team, dokkum, today
):
    person = team["active_ok"]
    Assignment.objects.create(
        shift=make_shift(dokkum, today + datetime.timedelta(days=4)), volunteer=person
    )
    login(coordinator)

    response = client.post(
        detail_url(person, name="volunteers:change-status"),
        {"status": Status.STOPPED, "since": today.isoformat()},
        follow=True,
    )

    assert "staat nog op 1 komende dienst" in response.text
    assert record_of(person).status == Status.STOPPED


def test_a_status_without_a_date_shows_the_page_again_with_the_message(
    client, login, coordinator, team
):
    person = team["intake"]
    login(coordinator)

    response = client.post(
        detail_url(person, name="volunteers:change-status"), {"status": Status.ACTIVE}
    )

    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.text
    assert record_of(person).status == Status.INTAKE


def test_coordinator_records_vog_buddy_and_notes(client, login, coordinator, team, today):
    person, buddy = team["aspirant"], team["active_ok"]
    login(coordinator)
    # The help text is honest: the volunteer's own download holds the notes (right of access).
    assert (
        "Alleen coördinatoren van deze locatie en medewerkers van AanZet lezen dit. De "
        "vrijwilliger ziet het ook als die de eigen gegevens downloadt."
    ) in client.get(detail_url(person)).text

    response = client.post(
        detail_url(person, name="volunteers:edit-onboarding"),
        {"vog_received_on": today.isoformat(), "buddy": buddy.pk, "notes": "Intake op dinsdag"},
    )

    assert response.status_code == 302
    record = record_of(person)
    assert (record.vog_received_on, record.buddy, record.notes) == (
        today,
        buddy,
        "Intake op dinsdag",
    )


def test_a_buddy_from_another_location_is_refused(
    client, login, coordinator, team, other_volunteer
):
    person = team["aspirant"]
    login(coordinator)

    response = client.post(
        detail_url(person, name="volunteers:edit-onboarding"), {"buddy": other_volunteer.pk}
    )

    assert response.status_code == 400
    assert record_of(person).buddy is None


def test_coordinator_adds_and_removes_a_training(client, login, coordinator, team):
    person = team["intake"]
    login(coordinator)

    response = client.post(
        detail_url(person, name="volunteers:add-training"),
        {"name": "Omgaan met agressie", "followed_on": "2026-02-10"},
    )
    assert response.status_code == 302
    training = Training.objects.get(profile__user=person)
    assert training.followed_on == datetime.date(2026, 2, 10)

    url = reverse(
        "volunteers:remove-training",
        kwargs={"slug": "dokkum", "pk": person.pk, "training_pk": training.pk},
    )
    assert client.post(url).status_code == 302
    assert not Training.objects.filter(profile__user=person).exists()


def test_a_training_of_someone_else_cannot_be_removed_through_another_person(
    client, login, coordinator, team
):
    person, other = team["intake"], team["paused"]
    training = Training.objects.create(
        profile=profiles.get_profile(other), name="EHBO", followed_on=datetime.date(2025, 1, 1)
    )
    login(coordinator)
    url = reverse(
        "volunteers:remove-training",
        kwargs={"slug": "dokkum", "pk": person.pk, "training_pk": training.pk},
    )
    assert client.post(url).status_code == 404
    assert Training.objects.filter(pk=training.pk).exists()


def test_a_volunteers_page_runs_a_fixed_number_of_queries(
    client, login, coordinator, dokkum, team, django_assert_max_num_queries, today
):
    person = team["active_ok"]
    login(coordinator)
    with django_assert_max_num_queries(50) as few:
        client.get(detail_url(person))
    baseline = len(few)
    profile = profiles.get_profile(person)
    membership = Membership.objects.current().get(user=person)
    for number in range(20):
        day = today + datetime.timedelta(days=number - 10)
        Assignment.objects.create(
            shift=make_shift(dokkum, day),
            volunteer=person,
            attendance=Attendance.ATTENDED if number < 10 else "",
        )
        Training.objects.create(profile=profile, name=f"Training {number}", followed_on=day)
        if day <= today:
            profiles.change_status(
                membership=membership,
                status=Status.PAUSED if number % 2 else Status.ACTIVE,
                since=day,
                changed_by=coordinator,
            )
    with django_assert_max_num_queries(baseline):
        client.get(detail_url(person))


# Onboarding to-dos -----------------------------------------------------------------------------


def test_onboarding_to_dos(dokkum, burgum, team, volunteer, today):
    newcomer = volunteer_in(
        dokkum,
        "Hessel",
        status=Status.ACTIVE,
        status_since=today - datetime.timedelta(days=10),
        vog_received_on=today,
    )
    elsewhere = volunteer_in(burgum, "Ids", status=Status.ASPIRANT)

    todos = profiles.onboarding_todos([dokkum], today=today)

    found = {(todo.person.first_name, todo.kind) for todo in todos}
    assert found == {
        ("Aaltje", "intake"),
        ("Aaltje", "buddy"),
        ("Anneke", "intake"),  # no profile yet: an aspirant
        ("Anneke", "buddy"),
        ("Bauke", "buddy"),
        ("Bauke", "vog_missing"),  # intake needs a VOG too (profiles.NEEDS_VOG)
        ("Catrien", "vog_missing"),
        ("Catrien", "buddy"),  # active since today: still new
        ("Douwe", "vog_outdated"),
        ("Hessel", "buddy"),
    }
    assert newcomer.first_name == "Hessel"
    assert elsewhere.first_name not in {todo.person.first_name for todo in todos}
    assert all(todo.location == dokkum for todo in todos)

    profile_of(newcomer, buddy=team["active_ok"])
    assert ("Hessel", "buddy") not in {
        (t.person.first_name, t.kind) for t in profiles.onboarding_todos([dokkum], today=today)
    }


def test_a_vog_of_exactly_three_years_is_still_valid(today):
    assert not profiles.vog_outdated(profiles.years_before(today, 3), today)
    assert profiles.vog_outdated(
        profiles.years_before(today, 3) - datetime.timedelta(days=1), today
    )


# Screenshots -----------------------------------------------------------------------------------

SHOTS = Path("/work/helpers/shots/profiles")
SIZES = [(1024, 768), (768, 1024), (390, 844)]


@pytest.fixture
def browser_world(transactional_db):
    """Dokkum with a coordinator, a volunteer with a full history, and a team in each status
    (made afresh: a transactional test may have flushed the migration's locations)."""
    from django.apps import apps as django_apps

    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    today = timezone.localdate()
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan", user__last_name="Hoekstra"
    ).user
    anneke = volunteer_in(
        dokkum,
        "Anneke",
        status=Status.ACTIVE,
        phone="06 1234 5678",
        vog_received_on=today - datetime.timedelta(days=4 * 365),
        preferred_tasks=[Task.HOST],
        notes="Wil graag de keuken leren.",
    )
    team = [
        volunteer_in(dokkum, "Tjitske", status=Status.ACTIVE, buddy=anneke),
        volunteer_in(dokkum, "Sjoukje", status=Status.INTAKE, phone="06 2222 3333"),
        volunteer_in(dokkum, "Wytske", status=Status.ASPIRANT),
        volunteer_in(dokkum, "Bauke", status=Status.PAUSED),
        volunteer_in(dokkum, "Geeske", status=Status.STOPPED),
    ]
    profile = profiles.get_profile(anneke)
    Training.objects.create(profile=profile, name="EHBO", followed_on=datetime.date(2025, 4, 2))
    for offset, task in (
        (-14, Task.HOST),
        (-7, Task.SHIFT_LEAD),
        (2, Task.HOST),
        (9, Task.KITCHEN),
    ):
        shift = make_shift(dokkum, today + datetime.timedelta(days=offset), task)
        Assignment.objects.create(
            shift=shift,
            volunteer=anneke,
            attendance=(Attendance.NO_SHOW if offset == -7 else Attendance.ATTENDED)
            if offset < 0
            else "",
        )
    late = make_shift(dokkum, today + datetime.timedelta(days=1), Task.HOST)
    Assignment.objects.create(
        shift=late,
        volunteer=anneke,
        cancelled_at=timezone.now(),
        cancel_reason="Ziek",
        cancelled_late=True,
    )
    make_shift(dokkum, today + datetime.timedelta(days=2), Task.SHIFT_LEAD, part=DayPart.MORNING)
    Assignment.objects.create(
        shift=make_shift(dokkum, today + datetime.timedelta(days=1), Task.SHIFT_LEAD),
        volunteer=team[0],
    )
    return {"coordinator": coordinator, "anneke": anneke}


def _shoot(page, name, part="html"):
    """Screenshots at the three sizes; `part` (this area's own part of the page) must not be
    wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)
        overflow = page.evaluate(
            "(part) => Math.max(0, ...[...document.querySelectorAll(part + ' *')]"
            ".filter((el) => !el.closest('.table-responsive'))"
            ".map((el) => el.getBoundingClientRect().right))"
            " - document.documentElement.clientWidth",
            part,
        )
        assert overflow <= 0, f"{name} at {width} px is {overflow} px too wide"


def test_screenshots_of_the_profile_pages(browser, live_server, browser_world):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    anneke = browser_world["anneke"]

    log_in(page, anneke)
    _shoot(page, "vrijwilliger-dashboard", "section[aria-labelledby=diensten-kop]")
    page.goto(MY_PROFILE)
    _shoot(page, "vrijwilliger-mijn-gegevens")
    assert "06 1234 5678" in page.content()

    context.clear_cookies()
    log_in(page, browser_world["coordinator"])
    _shoot(page, "coordinator-dashboard", "section[aria-labelledby=rooster-kop]")
    page.goto(LIST_URL)
    _shoot(page, "coordinator-vrijwilligers")
    page.goto(detail_url(anneke))
    _shoot(page, "coordinator-vrijwilliger")
    assert "laat afgemeld" in page.content()
    context.close()


# Demo data -------------------------------------------------------------------------------------


def test_the_demo_data_has_every_status_a_roster_with_gaps_and_loads_twice(db, settings):
    from django.core.management import call_command

    from volunteers import demo
    from volunteers.dashboard import gaps
    from volunteers.models import ShiftTemplate

    settings.DEBUG = True
    call_command("demo", stdout=io.StringIO())
    today = timezone.localdate()

    statuses = set(MemberRecord.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    active = MemberRecord.objects.filter(status=Status.ACTIVE)
    assert active.filter(vog_received_on__isnull=True).exists()
    assert any(profiles.vog_outdated(r.vog_received_on, today) for r in active)
    assert MemberRecord.objects.filter(buddy__isnull=False).exists()
    assert Training.objects.exists()
    assert set(ShiftTemplate.objects.values_list("location__slug", flat=True)) == {
        "burgum",
        "dokkum",
        "kollum",
        "de-westereen",
    }
    coming = Shift.objects.filter(date__gte=today, regular=True)
    assert coming.filter(date__gte=today + datetime.timedelta(days=21)).exists()
    below, without_lead = gaps(list(Location.objects.values_list("pk", flat=True)), today)
    assert below and without_lead
    assert Assignment.objects.filter(cancelled_late=True).exists()
    assert Assignment.objects.filter(cancelled_at__isnull=False, cancelled_late=False).exists()
    assert Assignment.objects.filter(attendance=Attendance.NO_SHOW).exists()
    assert Assignment.objects.filter(attendance=Attendance.ATTENDED).exists()
    # Anneke, the demo volunteer, has shifts coming.
    anneke = VolunteerProfile.objects.get(user__email="vrijwilliger.dokkum@example.org").user
    assert Assignment.objects.active().filter(volunteer=anneke, shift__date__gte=today).exists()

    counts = [
        model.objects.count()
        for model in (VolunteerProfile, StatusChange, Training, ShiftTemplate, Shift, Assignment)
    ]
    out = io.StringIO()
    demo.load(today=today, stdout=out)
    assert counts == [
        model.objects.count()
        for model in (VolunteerProfile, StatusChange, Training, ShiftTemplate, Shift, Assignment)
    ]
    assert "0 profile(s), 0 shift template(s), 0 shift(s) and 0 assignment(s)" in out.getvalue()

"""Each location keeps its own people's data (security issue 11).

What a coordinator records about a volunteer (status and its history, VOG, buddy, notes) belongs
to the membership of one location; the retention command only anonymises the right people, by
when a stop was recorded; status changes, notes, trainings, anonymisations and exports are
audited (never a cancel reason); a location's calendar feed has its own secret.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, Category, Recurrence
from buurtkamer.models import AuditEvent
from locations.models import DayPart, Membership, Role
from volunteers import profiles
from volunteers.models import (
    Assignment,
    MemberRecord,
    RosterFeedToken,
    Shift,
    Status,
    StatusChange,
    Task,
    Training,
    VolunteerProfile,
)

from .factories import MembershipFactory, UserFactory, administrator

NOTE_BURGUM = "Vertrouwelijk: gesprek over thuissituatie"


def url(name, location, person, **kwargs):
    return reverse(f"volunteers:{name}", kwargs={"slug": location.slug, "pk": person.pk, **kwargs})


def membership(person, location):
    return Membership.objects.current().get(user=person, location=location)


def record(person, location):
    return MemberRecord.objects.get(membership=membership(person, location))


@pytest.fixture
def both(dokkum, burgum):
    """Femke volunteers in Dokkum and in Burgum."""
    person = MembershipFactory(
        location=dokkum, role=Role.VOLUNTEER, user__first_name="Femke", user__last_name="Visser"
    ).user
    MembershipFactory(location=burgum, role=Role.VOLUNTEER, user=person)
    profiles.get_profile(person)
    VolunteerProfile.objects.filter(user=person).update(phone="0612345678")
    return person


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def aspirant_since(person, location, days):
    """Make the location's record, aspirant since `days` days ago."""
    record_ = profiles.get_record(membership(person, location))
    MemberRecord.objects.filter(pk=record_.pk).update(status_since=days_ago(days))
    StatusChange.objects.filter(record=record_).update(since=days_ago(days))


# Per location: notes, status, VOG, buddy ------------------------------------------------------


def test_a_dokkum_coordinator_cannot_see_burgums_note_or_status(
    client, login, coordinator, other_coordinator, both, dokkum, burgum
):
    login(other_coordinator)
    response = client.post(
        url("edit-onboarding", burgum, both),
        {"notes": NOTE_BURGUM, "vog_received_on": days_ago(10).isoformat(), "buddy": ""},
    )
    assert response.status_code == 302
    client.post(url("change-status", burgum, both), {"status": "intake", "since": days_ago(0)})
    assert record(both, burgum).status == Status.INTAKE

    login(coordinator)
    page = client.get(url("detail", dokkum, both))
    assert page.status_code == 200
    assert NOTE_BURGUM not in page.text
    assert page.context["record"].status == Status.ASPIRANT
    assert page.context["record"].vog_received_on is None
    # The person's own contact data is shown at both locations.
    assert "0612345678" in page.text and both.email in page.text
    # The list of Dokkum shows Dokkum's status too.
    listing = client.get(reverse("volunteers:list", kwargs={"slug": "dokkum"}))
    (row,) = [row for row in listing.context["rows"] if row["person"] == both]
    assert row["record"].status == Status.ASPIRANT

    login(other_coordinator)
    assert NOTE_BURGUM in client.get(url("detail", burgum, both)).text


def test_stopping_in_dokkum_leaves_burgum_active(
    client, login, coordinator, other_coordinator, both, dokkum, burgum
):
    for location in (dokkum, burgum):
        profiles.change_status(
            membership=membership(both, location),
            status=Status.ACTIVE,
            since=days_ago(0),
            changed_by=None,
        )
    login(coordinator)
    response = client.post(
        url("change-status", dokkum, both), {"status": "stopped", "since": days_ago(0)}
    )
    assert response.status_code == 302
    assert record(both, dokkum).status == Status.STOPPED
    assert record(both, burgum).status == Status.ACTIVE
    assert not StatusChange.objects.filter(
        record=record(both, burgum), status=Status.STOPPED
    ).exists()
    login(other_coordinator)
    history = client.get(url("detail", burgum, both)).context["history"]
    assert [change.status for change in history] == [Status.ACTIVE, Status.ASPIRANT]


def test_a_backdated_stop_is_refused_with_a_form_error(client, login, coordinator, both, dokkum):
    login(coordinator)
    aspirant_since(both, dokkum, 10)
    profiles.change_status(
        membership=membership(both, dokkum),
        status=Status.ACTIVE,
        since=days_ago(3),
        changed_by=coordinator,
    )
    response = client.post(
        url("change-status", dokkum, both), {"status": "stopped", "since": "2000-01-01"}
    )
    assert response.status_code == 400
    assert "vóór de vorige statuswijziging" in response.text
    assert record(both, dokkum).status == Status.ACTIVE

    future = client.post(
        url("change-status", dokkum, both), {"status": "stopped", "since": days_ago(-1)}
    )
    assert future.status_code == 400
    assert "niet in de toekomst" in future.text

    # From the day of the previous change up to today is fine.
    same_day = client.post(
        url("change-status", dokkum, both), {"status": "paused", "since": days_ago(3)}
    )
    assert same_day.status_code == 302
    assert record(both, dokkum).status == Status.PAUSED


def test_a_burgum_training_cannot_be_removed_from_dokkum(
    client, login, coordinator, other_coordinator, both, dokkum, burgum
):
    login(other_coordinator)
    client.post(url("add-training", burgum, both), {"name": "BHV", "followed_on": days_ago(30)})
    training = Training.objects.get(profile__user=both)
    assert training.location == burgum

    login(coordinator)
    page = client.get(url("detail", dokkum, both))
    assert "BHV" in page.text  # a training is the person's: seen at each of their locations
    response = client.post(url("remove-training", dokkum, both, training_pk=training.pk))
    assert response.status_code == 404
    assert Training.objects.filter(pk=training.pk).exists()


def test_a_volunteer_sees_each_locations_status_on_their_own_page(
    client, login, both, dokkum, burgum
):
    profiles.change_status(
        membership=membership(both, burgum),
        status=Status.INTAKE,
        since=days_ago(0),
        changed_by=None,
    )
    login(both)
    page = client.get(reverse("volunteers:my-profile"))
    assert page.status_code == 200
    shown = {row["location"].slug: row["record"].status for row in page.context["memberships"]}
    assert shown == {"dokkum": Status.ASPIRANT, "burgum": Status.INTAKE}


def test_the_download_holds_every_locations_record(client, login, both, dokkum, burgum):
    profiles.save_details(
        membership=membership(both, burgum),
        vog_received_on=None,
        buddy=None,
        notes=NOTE_BURGUM,
        changed_by=None,
    )
    login(both)
    data = json.loads(client.get(reverse("volunteers:my-data")).content)
    by_location = {row["location"]: row for row in data["per_location"]}
    assert by_location[burgum.name]["notes"] == NOTE_BURGUM
    assert by_location[burgum.name]["status_history"][0]["status"] == Status.ASPIRANT


# The data migration --------------------------------------------------------------------------


def test_the_data_migration_copies_the_profile_to_each_current_membership(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from .factories import LocationFactory

    dokkum, burgum = LocationFactory(), LocationFactory()  # a flush may have removed the seeded

    executor = MigrationExecutor(connection)
    # The other apps stay at their newest state (e.g. a membership's `pending`, added later).
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "volunteers"]
    before = [("volunteers", "0002_member_records_and_roster_feed_tokens"), *others]
    after = [("volunteers", "0003_move_coordinator_data_to_memberships"), *others]
    try:
        _migrate_and_check(connection, MigrationExecutor, before, after, dokkum, burgum)
    finally:  # whatever happens, the database goes back to the newest state for the next tests
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate_and_check(connection, MigrationExecutor, before, after, dokkum, burgum):
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("buurtkamer", "User")
    OldMembership = apps.get_model("locations", "Membership")
    OldProfile = apps.get_model("volunteers", "VolunteerProfile")
    OldChange = apps.get_model("volunteers", "StatusChange")
    person = User.objects.create(email="twee@example.org", first_name="Twee")
    buddy = User.objects.create(email="buddy@example.org", first_name="Buddy")
    OldMembership.objects.create(user=person, location_id=dokkum.pk, role="volunteer")
    OldMembership.objects.create(user=person, location_id=burgum.pk, role="volunteer")
    OldMembership.objects.create(user=buddy, location_id=dokkum.pk, role="volunteer")
    profile = OldProfile.objects.create(
        user=person,
        status="active",
        status_since=datetime.date(2026, 3, 1),
        vog_received_on=datetime.date(2026, 1, 1),
        buddy=buddy,
        notes="Oude notitie",
    )
    OldChange.objects.create(profile=profile, status="aspirant", since=datetime.date(2026, 1, 1))
    OldChange.objects.create(profile=profile, status="active", since=datetime.date(2026, 3, 1))

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    Record = apps.get_model("volunteers", "MemberRecord")
    NewChange = apps.get_model("volunteers", "StatusChange")
    records = {
        r.membership.location_id: r
        for r in Record.objects.filter(membership__user_id=person.pk).select_related("membership")
    }
    assert set(records) == {dokkum.pk, burgum.pk}
    for location_record in records.values():
        assert location_record.status == "active"
        assert location_record.notes == "Oude notitie"
        assert location_record.vog_received_on == datetime.date(2026, 1, 1)
        assert NewChange.objects.filter(record=location_record).count() == 2
    assert records[dokkum.pk].buddy_id == buddy.pk
    assert records[burgum.pk].buddy_id is None  # the buddy is not a member of Burgum


# Retention -----------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("anonymise_stopped_volunteers", *args, stdout=out)
    return out.getvalue()


def stop(person, location, *, recorded_days_ago, since_days_ago=None):
    """Stop the person at the location, as recorded `recorded_days_ago` days ago."""
    since_days_ago = recorded_days_ago if since_days_ago is None else since_days_ago
    the_membership = membership(person, location)
    aspirant_since(person, location, since_days_ago + 30)
    record_ = the_membership.volunteer_record
    change = profiles.change_status(
        membership=the_membership,
        status=Status.STOPPED,
        since=days_ago(since_days_ago),
        changed_by=None,
    )
    recorded = timezone.now() - datetime.timedelta(days=recorded_days_ago)
    StatusChange.objects.filter(record=record_).update(changed_at=recorded)
    return change


def person_in(location, first_name, **user_fields):
    return MembershipFactory(
        location=location,
        role=Role.VOLUNTEER,
        user__first_name=first_name,
        user__last_name="Achternaam",
        **{f"user__{key}": value for key, value in user_fields.items()},
    ).user


@pytest.fixture
def cases(dokkum, burgum):
    gone = person_in(dokkum, "Sjoerd")
    stop(gone, dokkum, recorded_days_ago=400)

    still_in_burgum = person_in(dokkum, "Baukje")
    MembershipFactory(location=burgum, role=Role.VOLUNTEER, user=still_in_burgum)
    stop(still_in_burgum, dokkum, recorded_days_ago=400)

    typed_back = person_in(dokkum, "Wietse")  # old data: a backdated date, recorded today
    stop(typed_back, dokkum, recorded_days_ago=0, since_days_ago=0)
    StatusChange.objects.filter(record__membership__user=typed_back, status="stopped").update(
        since=datetime.date(2000, 1, 1)
    )
    MemberRecord.objects.filter(membership__user=typed_back).update(
        status_since=datetime.date(2000, 1, 1)
    )

    staff_member = person_in(dokkum, "Sietske", is_aanzet_staff=True)
    stop(staff_member, dokkum, recorded_days_ago=400)

    admin = administrator(first_name="Beheer")
    MembershipFactory(location=dokkum, role=Role.COORDINATOR, user=admin)
    stop(admin, dokkum, recorded_days_ago=400)

    staff_without_memberships = UserFactory(is_aanzet_staff=True, first_name="Teun")

    return {
        "gone": gone,
        "still_in_burgum": still_in_burgum,
        "typed_back": typed_back,
        "staff": staff_member,
        "admin": admin,
        "staff_without_memberships": staff_without_memberships,
    }


def anonymised(user):
    return VolunteerProfile.objects.filter(user=user, anonymised_at__isnull=False).exists()


def test_dry_run_lists_only_the_right_names_and_changes_nothing(cases):
    out = run("--dry-run")
    assert "Would anonymise 1 volunteer(s)" in out
    assert "Sjoerd Achternaam" in out
    for name in ("Baukje", "Wietse", "Sietske", "Beheer", "Teun"):
        assert name not in out
    assert not any(anonymised(user) for user in cases.values())
    assert not AuditEvent.objects.filter(action="volunteer_anonymised").exists()


def test_the_real_run_anonymises_only_the_right_people_and_audits_it(cases, dokkum):
    out = run()
    assert "Anonymised 1 volunteer(s)" in out
    assert "Sjoerd" not in out  # a real run names nobody
    gone = cases.pop("gone")
    gone.refresh_from_db()
    assert anonymised(gone) and gone.first_name == "Oud-vrijwilliger" and not gone.is_active
    assert not Membership.objects.current().filter(user=gone).exists()
    for key, user in cases.items():
        user.refresh_from_db()
        assert not anonymised(user), key
        assert user.is_active and user.has_usable_password(), key
        assert not user.email.endswith("geanonimiseerd.invalid"), key
    assert Membership.objects.current().filter(user=cases["staff"]).exists()
    assert Membership.objects.current().filter(user=cases["admin"]).exists()

    event = AuditEvent.objects.get(action="volunteer_anonymised")
    assert event.details == {"volunteer": gone.pk}
    assert "Sjoerd" not in event.subject
    # Earlier audit events about the person lose the name too.
    assert not AuditEvent.objects.filter(subject__contains="Sjoerd").exists()
    assert run().startswith("Anonymised 0 volunteer(s)")


def test_stopped_everywhere_long_enough_is_anonymised(dokkum, burgum):
    person = person_in(dokkum, "Geeske")
    MembershipFactory(location=burgum, role=Role.VOLUNTEER, user=person)
    stop(person, dokkum, recorded_days_ago=500)
    stop(person, burgum, recorded_days_ago=200)  # not yet past the 12 months here
    assert "Would anonymise 0" in run("--dry-run")
    StatusChange.objects.filter(record__membership__user=person).update(
        changed_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert "Geeske" in run("--dry-run")


def test_anonymise_refuses_staff_even_when_called_directly(dokkum):
    staff_member = person_in(dokkum, "Sietske", is_aanzet_staff=True)
    with pytest.raises(profiles.ProfileError) as refused:
        profiles.anonymise(staff_member)
    assert refused.value.code == "staff"
    staff_member.refresh_from_db()
    assert staff_member.first_name == "Sietske" and staff_member.has_usable_password()


# Audit ---------------------------------------------------------------------------------------


def test_status_notes_and_trainings_are_audited_without_the_note(
    client, login, coordinator, both, dokkum
):
    login(coordinator)
    client.post(url("change-status", dokkum, both), {"status": "intake", "since": days_ago(0)})
    client.post(url("edit-onboarding", dokkum, both), {"notes": "Geheim", "buddy": ""})
    client.post(url("add-training", dokkum, both), {"name": "EHBO", "followed_on": days_ago(9)})
    training = Training.objects.get(profile__user=both)
    client.post(url("remove-training", dokkum, both, training_pk=training.pk))

    events = {
        event.action: event
        for event in AuditEvent.objects.filter(actor=coordinator, location=dokkum)
    }
    status = events["volunteer_status_changed"]
    assert status.details["status"] == "intake" and status.details["previous"] == "aspirant"
    assert status.details["volunteer"] == both.pk
    notes = events["volunteer_details_changed"]
    assert notes.details["fields"] == ["notes"]
    assert "Geheim" not in json.dumps(notes.details) and "Geheim" not in notes.subject
    assert events["training_added"].details["training"] == "EHBO"
    assert events["training_removed"].details["training"] == "EHBO"

    # Saving the same again changes nothing and logs nothing.
    client.post(url("edit-onboarding", dokkum, both), {"notes": "Geheim", "buddy": ""})
    assert AuditEvent.objects.filter(action="volunteer_details_changed").count() == 1


@pytest.mark.parametrize("wanted", ["json", "csv"])
def test_downloading_ones_own_data_is_audited(client, login, volunteer, wanted):
    login(volunteer)
    assert client.get(reverse("volunteers:my-data"), {"format": wanted}).status_code == 200
    event = AuditEvent.objects.get(action="personal_data_exported")
    assert event.actor == volunteer and event.details["format"] == wanted


@pytest.mark.parametrize("name", ["visitors:report-csv", "visitors:report-xlsx"])
def test_report_exports_are_audited(client, login, coordinator, dokkum, name):
    login(coordinator)
    assert client.get(reverse(name)).status_code == 200
    event = AuditEvent.objects.get(action="report_exported")
    assert event.actor == coordinator and event.location == dokkum
    assert event.details["locations"] == ["dokkum"]


def test_a_cancel_reason_never_lands_in_the_audit_log(client, login, coordinator, dokkum):
    activity = Activity.objects.create(
        location=dokkum,
        title="Koffieochtend",
        category=Category.objects.get(name="Koffie en inloop"),
        recurrence=Recurrence.WEEKLY,
        starts_on=days_ago(-1),
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
    )
    activity_services.generate_occurrences(activity)
    occurrence = activity.occurrences.order_by("date").first()
    login(coordinator)
    cancel_url = reverse(
        "activities:occurrence-cancel", kwargs={"slug": "dokkum", "pk": occurrence.pk}
    )
    page_url = reverse("activities:occurrence", kwargs={"slug": "dokkum", "pk": occurrence.pk})
    assert "Geen medische of persoonlijke details." in client.get(page_url).text
    response = client.post(cancel_url, {"reason": "Gids ligt in het ziekenhuis (heup)"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="activity_cancelled")
    assert "ziekenhuis" not in json.dumps(event.details) + event.subject


def test_the_cancel_and_notes_fields_warn_against_medical_details(
    client, login, coordinator, volunteer, dokkum
):
    shift = Shift.objects.create(
        location=dokkum,
        date=days_ago(-5),
        day_part=DayPart.MORNING,
        task=Task.HOST,
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 0),
    )
    assignment = Assignment.objects.create(shift=shift, volunteer=volunteer)
    login(volunteer)
    page = client.get(reverse("volunteers:cancel", kwargs={"pk": assignment.pk}))
    assert "Geen medische of persoonlijke details." in page.text
    login(coordinator)
    page = client.get(url("detail", dokkum, volunteer))
    assert "Schrijf geen medische of persoonlijke details op." in page.text


# Calendar feeds ------------------------------------------------------------------------------


def roster_url(token, location):
    return reverse(
        "volunteers:location-feed", kwargs={"roster_token": token, "location_slug": location.slug}
    )


def my_feed_box(client, login, user):
    login(user)
    client.post(reverse("volunteers:make-feed"))
    return client.get(reverse("volunteers:my-shifts")).context["my_feed"]


def test_a_location_feed_has_its_own_secret(client, login, coordinator, dokkum):
    box = my_feed_box(client, login, coordinator)
    personal = profiles.get_profile(coordinator).calendar_token
    (roster,) = box["locations"]
    token = RosterFeedToken.objects.get(user=coordinator, location=dokkum).token
    assert token != personal and token in roster["url"] and personal not in roster["url"]
    client.logout()
    assert client.get(roster_url(token, dokkum)).status_code == 200
    # The personal secret does not open the roster, in the new form or the old one.
    assert client.get(roster_url(personal, dokkum)).status_code == 404
    assert client.get(f"/agenda/{personal}/dokkum.ics").status_code == 404


def test_a_staff_members_personal_feed_holds_only_their_own_shifts(
    client, login, staff, volunteer, dokkum, burgum
):
    for location in (dokkum, burgum):
        shift = Shift.objects.create(
            location=location,
            date=days_ago(-3),
            day_part=DayPart.MORNING,
            task=Task.HOST,
            starts_at=datetime.time(9, 30),
            ends_at=datetime.time(12, 0),
        )
        Assignment.objects.create(shift=shift, volunteer=volunteer)
    personal = profiles.get_profile(staff).calendar_token
    feed = client.get(reverse("volunteers:my-feed", kwargs={"calendar_token": personal}))
    assert feed.status_code == 200 and b"BEGIN:VEVENT" not in feed.content
    for location in (dokkum, burgum):
        assert client.get(roster_url(personal, location)).status_code == 404
    # Staff get a roster feed of each location, each with its own secret.
    box = my_feed_box(client, login, staff)
    tokens = set(RosterFeedToken.objects.filter(user=staff).values_list("token", flat=True))
    assert len(tokens) == len(box["locations"]) >= 2 and personal not in tokens


def test_a_roster_secret_opens_only_its_own_location(client, login, coordinator, dokkum, burgum):
    my_feed_box(client, login, coordinator)
    token = RosterFeedToken.objects.get(user=coordinator, location=dokkum).token
    assert client.get(roster_url(token, burgum)).status_code == 404


def test_new_links_end_the_old_roster_link_too(client, login, coordinator, dokkum):
    my_feed_box(client, login, coordinator)
    old = RosterFeedToken.objects.get(user=coordinator, location=dokkum).token
    client.post(reverse("volunteers:regenerate-feed"))
    assert client.get(roster_url(old, dokkum)).status_code == 404
    my_feed_box(client, login, coordinator)
    new = RosterFeedToken.objects.get(user=coordinator, location=dokkum).token
    assert new != old and client.get(roster_url(new, dokkum)).status_code == 200


# Query counts --------------------------------------------------------------------------------


def test_the_list_with_records_runs_a_fixed_number_of_queries(
    client, login, coordinator, dokkum, burgum, django_assert_max_num_queries
):
    for number in range(12):
        person = person_in(dokkum, f"Persoon{number}")
        MembershipFactory(location=burgum, role=Role.VOLUNTEER, user=person)
        profiles.save_details(
            membership=membership(person, dokkum),
            vog_received_on=days_ago(5),
            buddy=coordinator,
            notes="x",
            changed_by=None,
        )
    login(coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("volunteers:list", kwargs={"slug": "dokkum"}))
    assert response.status_code == 200 and len(response.context["rows"]) == 12


def test_my_profile_page_runs_a_fixed_number_of_queries(
    client, login, dokkum, burgum, django_assert_max_num_queries
):
    person = person_in(dokkum, "Veel")
    MembershipFactory(location=burgum, role=Role.VOLUNTEER, user=person)
    for location in (dokkum, burgum):
        profiles.get_record(membership(person, location))
    login(person)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("volunteers:my-profile"))
    assert response.status_code == 200 and len(response.context["memberships"]) == 2


def test_staff_read_the_events_on_the_audit_page_without_the_note(
    client, login, coordinator, staff, both, dokkum
):
    login(coordinator)
    client.post(url("edit-onboarding", dokkum, both), {"notes": "Geheim", "buddy": ""})
    client.post(url("change-status", dokkum, both), {"status": "intake", "since": days_ago(0)})
    login(staff)
    page = client.get(reverse("audit-log"))
    assert page.status_code == 200
    assert "status vrijwilliger gewijzigd" in page.text
    assert "VOG, buddy of notities vrijwilliger gewijzigd" in page.text
    assert "Geheim" not in page.text

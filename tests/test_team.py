"""Team management and opening hours of a location, as its coordinator does them.

Dokkum is the coordinator's own location; the Burgum coordinator is an outsider there (404) and
a Dokkum volunteer may look but not change anything (403).
"""

import datetime
import re

import pytest
from django.urls import reverse

from buurtkamer.models import AuditEvent
from locations.forms import BaseOpeningHoursFormSet
from locations.models import DayPart, Location, Membership, OpeningHours, Role, Weekday

from .factories import LocationFactory, MembershipFactory
from .support import OPENING_HOURS_URL, count_queries, opening_hours_post

TEAM_URL = reverse("locations:team", kwargs={"slug": "dokkum"})
DETAIL_URL = reverse("locations:detail", kwargs={"slug": "dokkum"})


def change_role_url(membership, slug="dokkum"):
    return reverse("locations:change-role", kwargs={"slug": slug, "pk": membership.pk})


def end_membership_url(membership, slug="dokkum"):
    return reverse("locations:end-membership", kwargs={"slug": slug, "pk": membership.pk})


@pytest.fixture
def volunteer_membership(volunteer, dokkum):
    return Membership.objects.get(user=volunteer, location=dokkum)


# Changing a role -----------------------------------------------------------------------------


def test_coordinator_makes_a_volunteer_coordinator_and_it_is_audited(
    client, login, coordinator, volunteer, volunteer_membership, dokkum
):
    login(coordinator)

    response = client.post(change_role_url(volunteer_membership), {"role": Role.COORDINATOR})

    assert response.status_code == 302
    assert response["Location"] == TEAM_URL
    volunteer_membership.refresh_from_db()
    assert volunteer_membership.role == Role.COORDINATOR
    assert volunteer_membership.is_current

    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.actor == coordinator
    assert event.location == dokkum
    assert event.subject == volunteer.email
    assert event.details == {"old": "volunteer", "new": "coordinator"}

    # The new coordinator may manage Dokkum now.
    login(volunteer)
    assert client.get(TEAM_URL).status_code == 200


def test_an_unknown_role_changes_nothing(client, login, coordinator, volunteer_membership):
    login(coordinator)

    response = client.post(change_role_url(volunteer_membership), {"role": "baas"}, follow=True)

    assert response.status_code == 200
    assert "Kies een geldige rol." in response.text
    volunteer_membership.refresh_from_db()
    assert volunteer_membership.role == Role.VOLUNTEER
    assert not AuditEvent.objects.exists()


def test_choosing_the_same_role_again_is_not_audited(
    client, login, coordinator, volunteer_membership
):
    login(coordinator)
    client.post(change_role_url(volunteer_membership), {"role": Role.VOLUNTEER})
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


# Ending a membership -------------------------------------------------------------------------


def test_coordinator_ends_a_membership_which_is_kept_and_closes_the_location_for_that_person(
    client, login, coordinator, volunteer, volunteer_membership, dokkum
):
    login(coordinator)

    response = client.post(end_membership_url(volunteer_membership))

    assert response.status_code == 302
    assert response["Location"] == TEAM_URL
    volunteer_membership.refresh_from_db()
    assert volunteer_membership.ended_at is not None
    assert Membership.objects.filter(pk=volunteer_membership.pk).exists()

    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_ENDED)
    assert event.actor == coordinator
    assert event.location == dokkum
    assert event.subject == volunteer.email

    team = client.get(TEAM_URL)
    assert volunteer.email not in team.text

    login(volunteer)
    assert client.get(DETAIL_URL).status_code == 404
    assert "Buurtkamer Dokkum" not in client.get(reverse("locations:list")).text


def test_an_ended_membership_cannot_be_ended_or_changed_again(
    client, login, coordinator, volunteer_membership
):
    login(coordinator)
    client.post(end_membership_url(volunteer_membership))
    volunteer_membership.refresh_from_db()
    ended_at = volunteer_membership.ended_at

    assert client.post(end_membership_url(volunteer_membership)).status_code == 404
    response = client.post(change_role_url(volunteer_membership), {"role": Role.COORDINATOR})
    assert response.status_code == 404

    volunteer_membership.refresh_from_db()
    assert volunteer_membership.ended_at == ended_at
    assert volunteer_membership.role == Role.VOLUNTEER


def test_a_person_whose_membership_ended_can_be_invited_again(
    client, login, coordinator, volunteer, volunteer_membership, dokkum
):
    login(coordinator)
    client.post(end_membership_url(volunteer_membership))

    response = client.post(
        TEAM_URL, {"email": volunteer.email, "first_name": "Anneke", "role": Role.VOLUNTEER}
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=volunteer, location=dokkum).count() == 2
    # Since issue 11 an existing account is only invited: nothing is current until they accept.
    assert not Membership.objects.current().filter(user=volunteer, location=dokkum).exists()
    assert Membership.objects.invitations().filter(user=volunteer, location=dokkum).count() == 1


# Who may change the team ---------------------------------------------------------------------

TEAM_CHANGES = [
    pytest.param(change_role_url, {"role": Role.COORDINATOR}, id="change-role"),
    pytest.param(end_membership_url, {}, id="end-membership"),
]


def assert_unchanged(membership):
    membership.refresh_from_db()
    assert membership.role == Role.VOLUNTEER
    assert membership.ended_at is None
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("url", "data"), TEAM_CHANGES)
def test_a_volunteer_may_not_change_the_team(client, login, volunteer, dokkum, url, data):
    colleague = MembershipFactory(location=dokkum, role=Role.VOLUNTEER)
    login(volunteer)

    response = client.post(url(colleague), data)

    assert response.status_code == 403
    assert "Geen toegang" in response.text
    assert_unchanged(colleague)


@pytest.mark.parametrize(("url", "data"), TEAM_CHANGES)
def test_the_coordinator_of_another_location_gets_not_found(
    client, login, other_coordinator, volunteer_membership, url, data
):
    login(other_coordinator)

    response = client.post(url(volunteer_membership), data)

    assert response.status_code == 404
    assert_unchanged(volunteer_membership)


def test_changing_a_role_only_answers_post(client, login, coordinator, volunteer_membership):
    login(coordinator)

    response = client.get(change_role_url(volunteer_membership), {"role": Role.COORDINATOR})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_unchanged(volunteer_membership)


def test_ending_a_membership_first_asks_for_confirmation_in_dutch(
    client, login, coordinator, volunteer, volunteer_membership
):
    login(coordinator)

    page = client.get(end_membership_url(volunteer_membership))

    assert page.status_code == 200
    assert "Uit het team halen?" in page.text
    assert f"Ja, haal {volunteer} uit het team" in page.text
    assert 'method="post"' in page.text
    assert_unchanged(volunteer_membership)


@pytest.mark.parametrize(
    ("persona", "expected"), [("volunteer", 403), ("other_coordinator", 404), ("staff", 200)]
)
def test_only_those_who_manage_the_location_see_the_confirmation(
    client, login, personas, volunteer_membership, persona, expected
):
    login(personas[persona])
    assert client.get(end_membership_url(volunteer_membership)).status_code == expected
    assert_unchanged(volunteer_membership)


@pytest.mark.parametrize(("url", "data"), TEAM_CHANGES)
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_team_changes_refuse_other_methods(
    client, login, coordinator, volunteer_membership, url, data, method
):
    login(coordinator)

    response = getattr(client, method)(url(volunteer_membership))

    assert response.status_code == 405
    assert_unchanged(volunteer_membership)


@pytest.mark.parametrize(("url", "data"), TEAM_CHANGES)
def test_a_membership_of_another_location_is_not_found_under_my_location(
    client, login, coordinator, other_volunteer, burgum, url, data
):
    burgum_membership = Membership.objects.get(user=other_volunteer, location=burgum)
    login(coordinator)

    response = client.post(url(burgum_membership, slug="dokkum"), data)

    assert response.status_code == 404
    assert_unchanged(burgum_membership)


@pytest.mark.parametrize(("url", "data"), TEAM_CHANGES)
def test_anonymous_visitors_are_sent_to_log_in_for_team_changes(
    client, volunteer_membership, url, data
):
    response = client.post(url(volunteer_membership), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert_unchanged(volunteer_membership)


# Opening hours -------------------------------------------------------------------------------

SLOTS = BaseOpeningHoursFormSet.SLOTS  # Monday..Sunday × morning, afternoon, evening


def row(weekday, day_part):
    return SLOTS.index((weekday, day_part))


def saved_hours(location):
    return {
        (slot.weekday, slot.day_part, slot.opens_at, slot.closes_at)
        for slot in OpeningHours.objects.filter(location=location)
    }


def table_rows(html):
    """The text of the body cells of each table row, whitespace squeezed."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL).group(1)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


def time(text):
    return datetime.time.fromisoformat(text)


def test_coordinator_sets_the_opening_hours_and_they_are_saved_as_typed(
    client, login, coordinator, dokkum
):
    login(coordinator)
    open_slots = {
        (Weekday.TUESDAY, DayPart.MORNING): ("09:30", "12:00"),
        (Weekday.TUESDAY, DayPart.AFTERNOON): ("13:00", "17:00"),
        (Weekday.SATURDAY, DayPart.EVENING): ("19:15", "22:00"),
    }

    response = client.post(OPENING_HOURS_URL, opening_hours_post(open_slots))

    assert response.status_code == 302
    assert response["Location"] == DETAIL_URL
    assert saved_hours(dokkum) == {
        (weekday, day_part, time(opens_at), time(closes_at))
        for (weekday, day_part), (opens_at, closes_at) in open_slots.items()
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.OPENING_HOURS_CHANGED)
    assert event.actor == coordinator
    assert event.location == dokkum
    assert event.details == {"open_slots": 3}


def test_saving_the_opening_hours_again_replaces_them(client, login, coordinator, dokkum):
    login(coordinator)
    client.post(
        OPENING_HOURS_URL,
        opening_hours_post({(Weekday.MONDAY, DayPart.MORNING): ("09:00", "12:00")}),
    )

    client.post(
        OPENING_HOURS_URL,
        opening_hours_post({(Weekday.FRIDAY, DayPart.AFTERNOON): ("14:00", "16:00")}),
    )

    assert saved_hours(dokkum) == {
        (Weekday.FRIDAY, DayPart.AFTERNOON, time("14:00"), time("16:00"))
    }


def test_the_opening_hours_form_shows_the_saved_hours_ticked(client, login, coordinator, dokkum):
    OpeningHours.objects.create(
        location=dokkum,
        weekday=Weekday.THURSDAY,
        day_part=DayPart.EVENING,
        opens_at=time("18:30"),
        closes_at=time("21:30"),
    )
    login(coordinator)

    page = client.get(OPENING_HOURS_URL)

    assert page.status_code == 200
    index = row(Weekday.THURSDAY, DayPart.EVENING)
    assert f'name="form-{index}-is_open" id="id_form-{index}-is_open" checked' in page.text
    assert f'name="form-{index}-opens_at" id="id_form-{index}-opens_at" value="18:30"' in page.text
    assert page.text.count(" checked>") == 1


def test_an_opening_time_after_the_closing_time_is_refused_and_nothing_is_saved(
    client, login, coordinator, dokkum
):
    existing = OpeningHours.objects.create(
        location=dokkum,
        weekday=Weekday.MONDAY,
        day_part=DayPart.MORNING,
        opens_at=time("09:30"),
        closes_at=time("12:00"),
    )
    login(coordinator)
    wrong = (Weekday.WEDNESDAY, DayPart.AFTERNOON)

    response = client.post(
        OPENING_HOURS_URL,
        opening_hours_post(
            {
                (Weekday.TUESDAY, DayPart.MORNING): ("10:00", "11:45"),
                wrong: ("16:00", "13:00"),
            }
        ),
    )

    assert response.status_code == 400
    assert "De begintijd moet vóór de eindtijd liggen." in response.text
    assert "Niet opgeslagen" in response.text
    # What was typed stays on the screen, also in the rows that were fine.
    index = row(*wrong)
    assert f'name="form-{index}-opens_at" id="id_form-{index}-opens_at" value="16:00"' in (
        response.text
    )
    assert f'name="form-{index}-closes_at" id="id_form-{index}-closes_at" value="13:00"' in (
        response.text
    )
    good = row(Weekday.TUESDAY, DayPart.MORNING)
    assert f'name="form-{good}-opens_at" id="id_form-{good}-opens_at" value="10:00"' in (
        response.text
    )
    assert f'name="form-{good}-is_open" id="id_form-{good}-is_open" checked' in response.text

    assert saved_hours(dokkum) == {
        (existing.weekday, existing.day_part, existing.opens_at, existing.closes_at)
    }
    assert not AuditEvent.objects.exists()


def test_an_open_row_without_times_is_refused(client, login, coordinator, dokkum):
    login(coordinator)
    data = opening_hours_post({(Weekday.MONDAY, DayPart.MORNING): ("", "")})

    response = client.post(OPENING_HOURS_URL, data)

    assert response.status_code == 400
    assert "Vul een begin- en eindtijd in." in response.text
    assert not OpeningHours.objects.filter(location=dokkum).exists()


def test_a_volunteer_may_not_change_the_opening_hours(client, login, volunteer, dokkum):
    login(volunteer)
    data = opening_hours_post({(Weekday.MONDAY, DayPart.MORNING): ("09:00", "12:00")})

    assert client.post(OPENING_HOURS_URL, data).status_code == 403
    assert not OpeningHours.objects.filter(location=dokkum).exists()


def test_the_location_page_shows_the_saved_opening_hours(
    client, login, coordinator, volunteer, dokkum
):
    login(coordinator)
    client.post(
        OPENING_HOURS_URL,
        opening_hours_post(
            {
                (Weekday.TUESDAY, DayPart.MORNING): ("09:30", "12:00"),
                (Weekday.TUESDAY, DayPart.AFTERNOON): ("13:00", "17:00"),
                (Weekday.SATURDAY, DayPart.EVENING): ("19:15", "22:00"),
            }
        ),
    )

    login(volunteer)
    page = client.get(DETAIL_URL)

    assert page.status_code == 200
    assert "De openingstijden zijn nog niet ingevuld." not in page.text
    assert table_rows(page.text) == [
        ["Dinsdag", "ochtend", "09:30–12:00"],
        ["", "middag", "13:00–17:00"],
        ["Zaterdag", "avond", "19:15–22:00"],
    ]

    listing = client.get(reverse("locations:list"))
    assert "dinsdag, zaterdag" in listing.text


# Queries do not grow with the number of rows -------------------------------------------------


def add_locations_with_teams_and_hours(number, member=None, role=Role.VOLUNTEER):
    """`number` more locations, each with a team of two and two opening hours; `member` joins
    each of them in `role` (staff see them all anyway)."""
    for _ in range(number):
        location = LocationFactory()
        MembershipFactory(location=location, role=Role.COORDINATOR)
        MembershipFactory(location=location, role=Role.VOLUNTEER)
        if member is not None and not member.is_aanzet_staff:
            MembershipFactory(location=location, user=member, role=role)
        for weekday, day_part, opens_at, closes_at in [
            (Weekday.MONDAY, DayPart.MORNING, "09:30", "12:00"),
            (Weekday.FRIDAY, DayPart.EVENING, "19:00", "21:00"),
        ]:
            OpeningHours.objects.create(
                location=location,
                weekday=weekday,
                day_part=day_part,
                opens_at=time(opens_at),
                closes_at=time(closes_at),
            )


PAGES_LISTING_LOCATIONS = [
    pytest.param("staff", None, reverse("locations:list"), id="location-list-staff"),
    pytest.param(
        "coordinator", Role.COORDINATOR, reverse("locations:list"), id="location-list-coordinator"
    ),
    pytest.param("staff", None, reverse("dashboard"), id="dashboard-staff"),
    pytest.param("coordinator", Role.COORDINATOR, reverse("dashboard"), id="dashboard-coordinator"),
    pytest.param("volunteer", Role.VOLUNTEER, reverse("dashboard"), id="dashboard-volunteer"),
]


@pytest.mark.parametrize(("persona", "role", "url"), PAGES_LISTING_LOCATIONS)
def test_pages_listing_locations_use_no_more_queries_for_thirty_more_locations(
    client, login, personas, django_assert_max_num_queries, persona, role, url
):
    user = personas[persona]
    login(user)
    client.get(url)  # warm up: session, content types, translations
    few = count_queries(client, url, warm_up=False)
    before = client.get(url)
    shown_before = before.text.count("Buurtkamer Test ")

    add_locations_with_teams_and_hours(30, member=user, role=role)
    with django_assert_max_num_queries(few):
        response = client.get(url)

    assert response.status_code == 200
    if url == reverse("dashboard") and persona == "staff":
        # More than twelve locations: the staff dashboard summarises (issue 17) and finds them.
        assert f"Alle {Location.objects.count()} locaties" in response.text
        found = client.get(url, {"zoek": "Buurtkamer Test"}).context["search"]
        assert len(found["found"]) + found["more"] == 30
    elif url == reverse("locations:list"):  # 25 a page: the thirty more counted, a full page shown
        assert response.context["page"].paginator.count == len(before.context["page"]) + 30
        assert len(response.context["page"]) == 25
    else:
        assert response.text.count("Buurtkamer Test ") >= shown_before + 30


def test_team_page_uses_no_more_queries_for_thirty_more_members(
    client, login, coordinator, volunteer, dokkum, django_assert_max_num_queries
):
    login(coordinator)
    client.get(TEAM_URL)
    few = count_queries(client, TEAM_URL, warm_up=False)

    for number in range(30):
        MembershipFactory(location=dokkum, role=Role.VOLUNTEER, user__first_name=f"Lid {number}")
    with django_assert_max_num_queries(few):
        response = client.get(TEAM_URL)

    assert response.status_code == 200
    # One role form per member (coordinator, volunteer and 30 more) and one in the invite form.
    assert response.text.count('name="role"') == 32 + 1


def test_a_tampered_opening_hours_form_cannot_silently_delete_open_slots(
    client, login, coordinator, dokkum
):
    login(coordinator)
    monday_morning = {(Weekday.MONDAY, DayPart.MORNING): ("09:30", "12:00")}
    client.post(OPENING_HOURS_URL, opening_hours_post(monday_morning))
    data = opening_hours_post(monday_morning)
    data["form-INITIAL_FORMS"] = "0"

    client.post(OPENING_HOURS_URL, data)

    assert saved_hours(dokkum) == {(Weekday.MONDAY, DayPart.MORNING, time("09:30"), time("12:00"))}


def test_healthz_answers_a_plain_http_probe_even_when_https_is_enforced(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("account_login")).status_code == 301

"""The volunteers panel of the dashboard: a volunteer's next shifts and open places; a
coordinator's gaps, late cancellations and onboarding to-dos; staff's gaps per location."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, Role
from volunteers import profiles
from volunteers.models import Assignment, Status, Task

from .factories import MembershipFactory
from .support import make_shift

DASHBOARD = reverse("dashboard")


def volunteers_panel(response):
    panels = [p for p in response.context["panels"] if p["template"].startswith("volunteers/")]
    assert len(panels) == 1
    return panels[0]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def roster(dokkum, burgum, volunteer, today):
    """Dokkum in three days: a full shift lead, a host shift with one of two places taken (by
    the volunteer), a kitchen shift nobody took. Burgum: an empty shift."""
    day = today + datetime.timedelta(days=3)
    lead = make_shift(dokkum, day, Task.SHIFT_LEAD, maximum=1)
    host = make_shift(dokkum, day, Task.HOST, minimum=2, maximum=2)
    kitchen = make_shift(dokkum, day, Task.KITCHEN)
    other = MembershipFactory(location=dokkum, user__first_name="Tjitske").user
    Assignment.objects.create(shift=lead, volunteer=other)
    Assignment.objects.create(shift=host, volunteer=volunteer)
    # An afternoon with nobody as shift lead.
    afternoon = make_shift(dokkum, day, Task.SHIFT_LEAD, part=DayPart.AFTERNOON, maximum=1)
    burgum_shift = make_shift(burgum, day, Task.HOST)
    return {
        "lead": lead,
        "host": host,
        "kitchen": kitchen,
        "afternoon": afternoon,
        "burgum": burgum_shift,
        "other": other,
    }


def test_a_volunteer_sees_their_next_shifts_and_the_open_places_of_their_location(
    client, login, volunteer, roster
):
    login(volunteer)

    response = client.get(DASHBOARD)

    panel = volunteers_panel(response)
    assert [a.shift for a in panel["next_shifts"]] == [roster["host"]]
    open_shifts = panel["open_shifts"]
    # Not the host shift (already theirs), not the full lead shift, not Burgum's.
    assert roster["kitchen"] in open_shifts and roster["afternoon"] in open_shifts
    assert roster["host"] not in open_shifts and roster["lead"] not in open_shifts
    assert roster["burgum"] not in open_shifts
    # The places they can take, as "Open plekken" offers them: the afternoon lead, not the two
    # in the kitchen at the time of their host shift.
    assert panel["open_places"] == 1
    assert "Open plekken" in response.text
    # The kitchen is at the time of their host shift: marked, like on the open-places page.
    busy = {shift: shift.busy for shift in open_shifts}
    assert busy[roster["kitchen"]] and not busy[roster["afternoon"]]
    assert response.text.count("Je staat dan al op het rooster") == 1
    assert reverse("volunteers:my-profile") in response.text


def test_a_coordinator_sees_gaps_missing_leads_late_cancellations_and_to_dos(
    client, login, coordinator, volunteer, dokkum, roster, today
):
    Assignment.objects.create(
        shift=roster["kitchen"],
        volunteer=roster["other"],
        cancelled_at=timezone.now(),
        cancelled_late=True,
    )
    login(coordinator)

    response = client.get(DASHBOARD)

    panel = volunteers_panel(response)
    below = panel["below_minimum"]
    assert {shift.pk for shift in below} == {
        roster["host"].pk,
        roster["kitchen"].pk,
        roster["afternoon"].pk,
    }
    assert all(shift.location == dokkum for shift in below)
    assert [(s.date, s.day_part) for s in panel["without_lead"]] == [
        (roster["afternoon"].date, DayPart.AFTERNOON)
    ]
    assert [a.volunteer for a in panel["late_cancellations"]] == [roster["other"]]
    kinds = {(todo.person, todo.kind) for todo in panel["todos"]}
    assert (volunteer, "intake") in kinds
    assert "Late afmeldingen" in response.text and "Tjitske" in response.text
    assert "dagdeel zonder dagverantwoordelijke" in response.text


def test_a_late_cancellation_of_a_shift_long_past_is_no_longer_shown(
    client, login, coordinator, dokkum, roster, today
):
    old = make_shift(dokkum, today - datetime.timedelta(days=40))
    Assignment.objects.create(
        shift=old,
        volunteer=roster["other"],
        cancelled_at=timezone.now() - datetime.timedelta(days=41),
        cancelled_late=True,
    )
    login(coordinator)
    assert volunteers_panel(client.get(DASHBOARD))["late_cancellations"] == []


def test_staff_see_the_gaps_per_location(client, login, staff, dokkum, burgum, roster):
    login(staff)

    panel = volunteers_panel(client.get(DASHBOARD))

    rows = {row["location"].slug: row for row in panel["rows"]}
    # Dokkum: host 1 short, kitchen 1, afternoon lead 1; Burgum: its host shift 1.
    assert rows["dokkum"]["places_short"] == 3
    assert rows["dokkum"]["without_lead"] == 1
    assert rows["burgum"]["places_short"] == 1
    # Rule changed (issue 12): Burgum's day-part has no lead shift, so no lead requirement.
    assert rows["burgum"]["without_lead"] == 0
    assert rows["kollum"]["places_short"] == 0


def fill_weeks(location, people, today, weeks=4):
    """Four weeks of shifts, mostly filled, some late cancellations, the people with profiles."""
    for person in people:
        profile = profiles.get_profile(person)
        profile.status = Status.ACTIVE
        profile.save()
    for offset in range(weeks * 7):
        day = today + datetime.timedelta(days=offset)
        for task in (Task.SHIFT_LEAD, Task.HOST, Task.KITCHEN):
            shift = make_shift(location, day, task, minimum=2, maximum=3)
            person = people[(offset + len(task)) % len(people)]
            Assignment.objects.create(shift=shift, volunteer=person)
            Assignment.objects.create(
                shift=shift,
                volunteer=people[(offset + 1) % len(people)],
                cancelled_at=timezone.now(),
                cancelled_late=offset % 3 == 0,
            )


@pytest.mark.parametrize("who", ["volunteer", "coordinator", "staff"])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, login, dokkum, burgum, who, personas, django_assert_max_num_queries, today
):
    user = personas[who]
    login(user)
    make_shift(dokkum, today, Task.ACTIVITY)
    with django_assert_max_num_queries(60) as few:
        client.get(DASHBOARD)
    baseline = len(few)

    people = [personas["volunteer"]] + [
        MembershipFactory(location=dokkum, role=Role.VOLUNTEER).user for _ in range(15)
    ]
    fill_weeks(dokkum, people, today)
    fill_weeks(burgum, [personas["other_volunteer"]], today, weeks=1)
    with django_assert_max_num_queries(baseline):
        response = client.get(DASHBOARD)
    assert response.status_code == 200

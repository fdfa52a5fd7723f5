"""The dashboard in at most ten queries for every role, with a little data and with more
(locations, shifts, visits, volunteers, activities, logbook entries): the count does not grow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, LogEntry, OpeningHours, Role, Weekday
from volunteers.models import Assignment, Task

from .factories import (
    ActivityFactory,
    LocationFactory,
    MembershipFactory,
    OccurrenceFactory,
    VisitFactory,
)
from .support import make_persona, make_shift

DASHBOARD = reverse("dashboard")


def _fill(location, today, *, size):
    """Opening hours, a team, a roster with people on it and cancellations, activities with
    dates this week, visits over the last weeks and logbook entries that ask for a follow-up."""
    for weekday in (Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY):
        OpeningHours.objects.get_or_create(
            location=location,
            weekday=weekday,
            day_part=DayPart.MORNING,
            defaults={"opens_at": datetime.time(9, 0), "closes_at": datetime.time(12, 0)},
        )
    team = [MembershipFactory(location=location).user for _ in range(size)]
    for day in range(size):
        date = today + datetime.timedelta(days=day)
        lead = make_shift(location, date, Task.SHIFT_LEAD, maximum=1)
        host = make_shift(location, date, Task.HOST, minimum=2, maximum=3)
        make_shift(location, date, Task.KITCHEN, part=DayPart.AFTERNOON)
        Assignment.objects.create(shift=host, volunteer=team[day % len(team)])
        if day % 2:
            Assignment.objects.create(shift=lead, volunteer=team[(day + 1) % len(team)])
        else:
            Assignment.objects.create(
                shift=lead,
                volunteer=team[(day + 1) % len(team)],
                cancelled_at=timezone.now(),
                cancelled_late=True,
            )
    for number in range(size):
        activity = ActivityFactory(location=location, title=f"Activiteit {location.slug} {number}")
        OccurrenceFactory(activity=activity, date=today + datetime.timedelta(days=number % 7))
    for days_ago in range(0, 7 * size, 3):
        VisitFactory(location=location, recorded_at=timezone.now() - datetime.timedelta(days_ago))
    for number in range(size):
        LogEntry.objects.create(
            location=location, text=f"Notitie {number}", needs_follow_up=True, date=today
        )


@pytest.fixture
def people(dokkum, burgum):
    volunteer = make_persona("volunteer")
    coordinator = make_persona("coordinator")
    of_two = make_persona("coordinator")
    MembershipFactory(location=burgum, user=of_two, role=Role.COORDINATOR)
    return {
        "volunteer": volunteer,
        "coordinator of one": coordinator,
        "coordinator of two": of_two,
        "staff": make_persona("staff"),
    }


@pytest.fixture
def small(people, dokkum, burgum):
    today = timezone.localdate()
    _fill(dokkum, today, size=2)
    _fill(burgum, today, size=1)
    return people


@pytest.fixture
def larger(people, dokkum, burgum):
    today = timezone.localdate()
    _fill(dokkum, today, size=8)
    _fill(burgum, today, size=6)
    for _ in range(6):
        location = LocationFactory()
        _fill(location, today, size=4)
        # Everyone but staff on more teams too, as a volunteer: the same role as before.
        for person in people.values():
            if not person.is_aanzet_staff:
                MembershipFactory(location=location, user=person, role=Role.VOLUNTEER)
    return people


ROLES = ["volunteer", "coordinator of one", "coordinator of two", "staff"]
# A coordinator's dashboard has two panels more than the others' (late cancellations and own
# next shifts, onboarding to-dos, the logbook's latest follow-ups): eleven queries, see
# buurtkamer/views.py dashboard for which.
MAX_QUERIES = {
    "volunteer": 10,
    "coordinator of one": 11,
    "coordinator of two": 11,
    "staff": 10,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("data", ["small", "larger"])
def test_the_dashboard_takes_a_fixed_number_of_queries_whatever_the_data(
    db, client, login, django_assert_max_num_queries, role, data, request
):
    person = request.getfixturevalue(data)[role]
    login(person)
    client.get(DASHBOARD)  # warms up the session, content types and translations

    with django_assert_max_num_queries(MAX_QUERIES[role]):
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["panels"]


def test_a_coordinator_sees_their_first_own_shifts_and_the_latest_late_cancellations(
    client, login, dokkum, today
):
    """Both lists come from one query: each still shows its own first eight, in its order."""
    coordinator = make_persona("coordinator")
    own, cancelled = [], []
    for day in range(1, 11):
        shift = make_shift(dokkum, today + datetime.timedelta(days=day), Task.HOST, maximum=3)
        own.append(Assignment.objects.create(shift=shift, volunteer=coordinator))
        other = MembershipFactory(location=dokkum).user
        cancelled.append(
            Assignment.objects.create(
                shift=shift,
                volunteer=other,
                cancelled_at=timezone.now() - datetime.timedelta(hours=day),
                cancelled_late=True,
            )
        )
    login(coordinator)

    response = client.get(DASHBOARD)

    panel = next(p for p in response.context["panels"] if p["template"].startswith("volunteers/"))
    assert panel["next_shifts"] == own[:8]
    assert panel["late_cancellations"] == cancelled[:8]  # the most recent first
    assert all(a.shift.location == dokkum for a in panel["next_shifts"])


@pytest.fixture
def today():
    return timezone.localdate()

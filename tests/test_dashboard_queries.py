"""The dashboard in a fixed number of queries for every role (at most ten: issue 17), with a
little data, with more (locations, shifts, visits, volunteers, activities, logbook entries) and
with more than twelve locations (the panels summarise): the count does not grow."""

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


@pytest.fixture
def many(larger):
    """Twenty locations and more: the panels summarise (buurtkamer/dashboard.py); the
    coordinator of two coordinates fourteen, a summary too."""
    today = timezone.localdate()
    people = larger
    for _ in range(12):
        location = LocationFactory(municipality=f"Gemeente {_ % 3}")
        _fill(location, today, size=1)
        MembershipFactory(location=location, user=people["volunteer"], role=Role.VOLUNTEER)
        MembershipFactory(
            location=location, user=people["coordinator of two"], role=Role.COORDINATOR
        )
    return people


ROLES = ["volunteer", "coordinator of one", "coordinator of two", "staff"]
# Exactly these, see buurtkamer/views.py dashboard for which: the session and the user, the
# locations with their counts, opening hours and closures (one query), the activities; staff
# the two-step check, the roster's figures (one), the last settled day and the visits; a
# coordinator the roster, the last settled day, the visits, their own shifts with the late
# cancellations, the onboarding to-dos and the logbook's latest follow-ups; a volunteer their
# next shifts and the open places.
QUERIES = {
    "volunteer": 6,
    "coordinator of one": 10,
    "coordinator of two": 10,
    "staff": 8,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("data", ["small", "larger", "many"])
def test_the_dashboard_takes_a_fixed_number_of_queries_whatever_the_data(
    db, client, login, django_assert_num_queries, role, data, request
):
    person = request.getfixturevalue(data)[role]
    login(person)
    client.get(DASHBOARD)  # warms up the session, content types and translations

    with django_assert_num_queries(QUERIES[role]):
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["panels"]
    summarised = data == "many" and role in ("staff", "coordinator of two")
    visitors = [p for p in response.context["panels"] if p["template"].startswith("visitors/")]
    assert [bool(p["summary"]) for p in visitors] == ([summarised] if visitors else [])


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

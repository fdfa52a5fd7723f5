"""Races on the roster, on PostgreSQL with real threads, each with its own connection.

`select_for_update` does nothing inside a test wrapped in one transaction, nor on SQLite, so
these tests run in transactional mode (django_db(transaction=True)) on PostgreSQL only. Each race
has a control run with the guard switched off (no locks, and a pause between counting and
inserting): it must overbook, which proves that the harness can see a race at all.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from locations.models import DayPart, Role
from volunteers import services
from volunteers.models import Assignment, Shift, Task

from .factories import LocationFactory, MembershipFactory
from .support import require_postgresql, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def shift_at(location, *, task=Task.HOST, maximum=2, start=datetime.time(13, 30)):
    return Shift.objects.create(
        location=location,
        date=timezone.localdate() + datetime.timedelta(days=5),
        day_part=DayPart.AFTERNOON,
        task=task,
        starts_at=start,
        ends_at=datetime.time(16, 30),
        minimum=1,
        maximum=maximum,
        regular=False,
    )


@pytest.fixture
def location():
    require_postgresql()
    return LocationFactory()


@pytest.fixture
def unguarded(monkeypatch):
    """The control: no locks, and a pause between counting and inserting."""
    monkeypatch.setattr(services, "RACE_GUARD", False)
    monkeypatch.setattr(services, "RACE_PAUSE", 0.3)


def last_place_race(location):
    shift = shift_at(location, maximum=2)
    first = MembershipFactory(location=location, role=Role.VOLUNTEER).user
    services.take_place(shift, first)  # one place left
    people = [MembershipFactory(location=location).user for _ in range(THREADS)]
    results = run_at_once(
        [lambda person=person: services.take_place(shift, person) for person in people]
    )
    return shift, results


def test_the_last_place_goes_to_exactly_one_of_many_at_the_same_moment(location):
    shift, results = last_place_race(location)
    winners = [result for result, error in results if result is not None]
    errors = [error for result, error in results if error is not None]
    assert len(winners) == 1, results
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, services.RosterError) for error in errors), errors
    assert all(error.code == "full" for error in errors), errors
    assert Assignment.objects.active().filter(shift=shift).count() == 2


def test_control_without_the_guard_the_harness_does_see_the_overbooking(location, unguarded):
    shift, results = last_place_race(location)
    winners = [result for result, error in results if result is not None]
    assert len(winners) > 1, "the race harness did not overbook without the guard"
    assert Assignment.objects.active().filter(shift=shift).count() > shift.maximum


def double_booking_race(location):
    person = MembershipFactory(location=location).user
    tasks = [Task.HOST, Task.KITCHEN, Task.SHIFT_LEAD, Task.ACTIVITY]
    shifts = [
        shift_at(location, task=tasks[number % 4], start=datetime.time(13, 30 + number))
        for number in range(THREADS)
    ]
    results = run_at_once(
        [lambda shift=shift: services.take_place(shift, person) for shift in shifts]
    )
    return person, results


def test_one_person_cannot_take_two_overlapping_shifts_at_the_same_moment(location):
    person, results = double_booking_race(location)
    winners = [result for result, error in results if result is not None]
    errors = [error for result, error in results if error is not None]
    assert len(winners) == 1, results
    assert all(isinstance(error, services.RosterError) for error in errors), errors
    assert all(error.code == "overlap" for error in errors), errors
    assert Assignment.objects.active().filter(volunteer=person).count() == 1


def test_control_without_the_guard_one_person_is_double_booked(location, unguarded):
    person, _results = double_booking_race(location)
    assert Assignment.objects.active().filter(volunteer=person).count() > 1
    assert connection.vendor == "postgresql"

"""Issue 13: month arithmetic and the activity recurrence on dateutil (relativedelta, rrule),
with the same outcomes as the hand-written code they replace."""

import datetime

import pytest

from activities.models import Activity, Recurrence, WeekOfMonth
from buurtkamer.dates import month_end, months_before, previous_month

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 3, 31), 1, D(2026, 2, 28)),  # the end of the month is kept
        (D(2028, 3, 31), 1, D(2028, 2, 29)),
        (D(2026, 5, 31), 1, D(2026, 4, 30)),
        (D(2026, 1, 15), 12, D(2025, 1, 15)),
        (D(2026, 1, 31), 13, D(2024, 12, 31)),
        (D(2026, 1, 31), -1, D(2026, 2, 28)),
    ],
)
def test_months_before_clamps_to_the_end_of_the_month(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("day", "end", "previous"),
    [
        (D(2026, 1, 1), D(2026, 1, 31), (D(2025, 12, 1), D(2025, 12, 31))),
        (D(2028, 2, 10), D(2028, 2, 29), (D(2028, 1, 1), D(2028, 1, 31))),
        (D(2026, 3, 31), D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),
    ],
)
def test_month_end_and_previous_month(day, end, previous):
    assert month_end(day) == end
    assert previous_month(day) == previous


def _series(recurrence, starts_on, ends_on=None, week=None):
    return Activity(recurrence=recurrence, starts_on=starts_on, ends_on=ends_on, week_of_month=week)


def test_fortnightly_keeps_the_phase_of_its_start_date():
    series = _series(Recurrence.FORTNIGHTLY, D(2026, 1, 6))  # a Tuesday
    assert series.dates_between(D(2026, 1, 14), D(2026, 2, 17)) == [
        D(2026, 1, 20),
        D(2026, 2, 3),
        D(2026, 2, 17),
    ]


def test_last_weekday_of_the_month_and_the_series_end():
    series = _series(Recurrence.MONTHLY, D(2026, 1, 27), D(2026, 4, 27), WeekOfMonth.LAST)
    assert series.dates_between(D(2026, 1, 1), D(2026, 12, 31)) == [
        D(2026, 1, 27),
        D(2026, 2, 24),
        D(2026, 3, 31),
    ]


def test_fourth_weekday_of_the_month_from_a_later_start():
    series = _series(Recurrence.MONTHLY, D(2026, 1, 22), week=WeekOfMonth.FOURTH)  # Thursday
    assert series.dates_between(D(2026, 2, 27), D(2026, 4, 30)) == [
        D(2026, 3, 26),
        D(2026, 4, 23),
    ]


def test_once_is_the_start_date_only():
    series = _series(Recurrence.ONCE, D(2026, 5, 5))
    assert series.dates_between(D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 5, 5)]
    assert series.dates_between(D(2026, 5, 6), D(2026, 12, 31)) == []

"""The figures of a report: a few queries, each returning typed rows, and the sums over them.

Everything per visit is counted in the database (values/annotate/Count with filter), in a
fixed number of queries whatever the period: the rows that come back are per location, day
and day-part, per choice: never per visit. What is counted in Python are the opened day-parts
(from the few rows of opening hours and closures) and the buckets of the rows.

Manual tallies are stored as visits too (visitors.services.record_tally), so counting the
visits that are not voided counts both the tablet's taps and the tallies, each once.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtkamer.dates import day_long, day_short, monday_of, month_end
from buurtkamer.translated import name_in_active_language
from locations.models import Closure, OpeningHours
from volunteers.models import Assignment

from ..models import FirstVisit, Referral, Story, Visit
from .filters import Grouping, Per

# Visits per activity: the tablet's tag names an occurrence of an activity.
ACTIVITY_CATEGORY = "occurrence__activity__category"  # its name: name_in_active_language
ACTIVITY_TITLE = "occurrence__activity__title"


class DayPartVisits(NamedTuple):
    location_id: int
    day: datetime.date
    day_part: str
    visits: int
    first_visits: int


class Earlier(NamedTuple):
    location_id: int
    previous: int  # the period of the same length just before
    year_before: int  # the same period a year earlier


class Named(NamedTuple):
    name: str
    n: int


class ActivityVisits(NamedTuple):
    category: str
    title: str
    n: int


class AttendedShift(NamedTuple):
    location_id: int
    starts_at: datetime.time
    ends_at: datetime.time
    people: int


class OpenedDayPart(NamedTuple):
    location_id: int
    day: datetime.date
    day_part: str
    minutes: int


class Slot(NamedTuple):
    """A weekday × day-part: how often it was open, its visits then and the average."""

    weekday: int
    day_part: str
    opened: int
    visits: int
    average: float | None


# The queries ------------------------------------------------------------------------------------


def _minutes(opens_at, closes_at):
    return (closes_at.hour * 60 + closes_at.minute) - (opens_at.hour * 60 + opens_at.minute)


def opened_day_parts(location_ids, start, end, hours=None, closed=None) -> list[OpenedDayPart]:
    """Every opened day-part from start to end (inclusive), from the opening hours minus the
    closed dates (Closure.objects.closed_dates, the roster's and the programme's rule too).
    Two queries when neither hours nor closed (the closed dates, covering start to end) are
    given."""
    if hours is None:
        hours = list(
            OpeningHours.objects.filter(location_id__in=location_ids)
            .order_by()
            .values_list("location_id", "weekday", "day_part", "opens_at", "closes_at")
        )
    if closed is None:
        closed = Closure.objects.order_by().closed_dates(location_ids, start, end)
    per_weekday = defaultdict(list)
    for location_id, weekday, day_part, opens_at, closes_at in hours:
        per_weekday[weekday].append((location_id, day_part, _minutes(opens_at, closes_at)))
    opened, day = [], start
    while day <= end:
        for location_id, day_part, minutes in per_weekday.get(day.isoweekday(), ()):
            if (location_id, day) not in closed:
                opened.append(OpenedDayPart(location_id, day, day_part, minutes))
        day += datetime.timedelta(days=1)
    return opened


def _counted(ids):
    return Visit.objects.counted().filter(location_id__in=ids).order_by()


def day_part_visits(ids, filters) -> list[DayPartVisits]:
    """One row per location, day and day-part that had visitors (about 800 a year for four
    locations); buckets and weekdays are taken from these rows in Python."""
    rows = (
        _counted(ids)
        .filter(recorded_on__range=(filters.start, filters.end))
        .values_list("location_id", "recorded_on", "day_part")
        .annotate(n=Count("id"), first=Count("id", filter=Q(first_visit=FirstVisit.YES)))
    )
    return [DayPartVisits(*row) for row in rows]


def earlier_visits(ids, filters) -> list[Earlier]:
    previous, before = filters.previous, filters.year_before
    rows = (
        _counted(ids)
        .filter(Q(recorded_on__range=previous) | Q(recorded_on__range=before))
        .values_list("location_id")
        .annotate(
            previous=Count("id", filter=Q(recorded_on__range=previous)),
            before=Count("id", filter=Q(recorded_on__range=before)),
        )
    )
    return [Earlier(*row) for row in rows]


def came_via(ids, filters) -> list[Named]:
    """First visits by how they came, the most first."""
    rows = (
        _counted(ids)
        .filter(recorded_on__range=(filters.start, filters.end), first_visit=FirstVisit.YES)
        .annotate(name=name_in_active_language("came_via"))
        .values_list("name")
        .annotate(n=Count("id"))
        .order_by("-n", "name")
    )
    return [Named(name or _("niet ingevuld"), n) for name, n in rows]


def referrals(ids, filters) -> list[Named]:
    rows = (
        Referral.objects.counted()
        .filter(location_id__in=ids, date__range=(filters.start, filters.end))
        .order_by()
        .annotate(name=name_in_active_language("target"))
        .values_list("name")
        .annotate(n=Count("id"))
        .order_by("-n", "name")
    )
    return [Named(*row) for row in rows]


def activity_visits(ids, filters) -> list[ActivityVisits]:
    """Visits that named an occurrence of an activity on the tablet."""
    rows = (
        _counted(ids)
        .filter(recorded_on__range=(filters.start, filters.end), occurrence__isnull=False)
        .annotate(category=name_in_active_language(ACTIVITY_CATEGORY))
        .values_list("category", ACTIVITY_TITLE)
        .annotate(n=Count("id"))
        .order_by("category", ACTIVITY_TITLE)
    )
    return [ActivityVisits(*row) for row in rows]


def attended_shifts(ids, filters) -> list[AttendedShift]:
    rows = (
        Assignment.objects.active()
        .filter(
            attendance="attended",
            shift__location_id__in=ids,
            shift__date__range=(filters.start, filters.end),
        )
        .order_by()
        .values_list("shift__location_id", "shift__starts_at", "shift__ends_at")
        .annotate(n=Count("id"))
    )
    return [AttendedShift(*row) for row in rows]


def stories(ids, filters) -> list:
    return list(
        Story.objects.filter(location_id__in=ids, date__range=(filters.start, filters.end))
        .select_related("location")
        .order_by("location__name", "date", "pk")
    )


# Buckets and units ------------------------------------------------------------------------------


def bucket_start(day: datetime.date, grouping: str) -> datetime.date:
    if grouping == Grouping.WEEK:
        return monday_of(day)
    if grouping == Grouping.MONTH:
        return day.replace(day=1)
    return day


def bucket_label(day: datetime.date, grouping: str) -> str:
    if grouping == Grouping.WEEK:
        year, week, _weekday = day.isocalendar()
        return _("week %(week)s van %(year)s") % {"week": week, "year": year}
    if grouping == Grouping.MONTH:
        return date_format(day, "YEAR_MONTH_FORMAT")
    return day_long(day)


def bucket_short_label(day: datetime.date, grouping: str) -> str:
    """Under a chart's bars: "jan", "w45", "3 nov"."""
    if grouping == Grouping.WEEK:
        return f"w{day.isocalendar()[1]}"
    if grouping == Grouping.MONTH:
        return date_format(day, "MONTH_SHORT_FORMAT")
    return day_short(day)


def buckets(filters) -> list[tuple[datetime.date, str]]:
    keys, day = [], bucket_start(filters.start, filters.grouping)
    while day <= filters.end:
        keys.append(day)
        if filters.grouping == Grouping.DAY:
            day += datetime.timedelta(days=1)
        elif filters.grouping == Grouping.WEEK:
            day += datetime.timedelta(days=7)
        else:
            day = month_end(day) + datetime.timedelta(days=1)
    return [(key, bucket_label(key, filters.grouping)) for key in keys]


@dataclass
class Unit:
    """A column of the report: one location, or one municipality with its locations."""

    key: str
    label: str
    location_ids: list


def units(filters) -> list[Unit]:
    if filters.per == Per.MUNICIPALITY:
        grouped = defaultdict(list)
        for location in filters.locations:
            grouped[location.municipality].append(location.pk)
        return [Unit(name, name, ids) for name, ids in sorted(grouped.items())]
    return [Unit(location.slug, location.name, [location.pk]) for location in filters.locations]


# The sums ---------------------------------------------------------------------------------------


def change(now, before):
    """The change in per cent, one decimal, or None when there was nothing before."""
    if not before:
        return None
    return round((now - before) * 100 / before, 1)


def share(part, whole):
    return round(part * 100 / whole, 1) if whole else None


def ratio(part, whole, digits=1):
    return round(part / whole, digits) if whole else None


@dataclass
class Sums:
    """Per unit key: what is added up over the rows (a Counter per figure)."""

    visits: Counter = field(default_factory=Counter)
    first_visits: Counter = field(default_factory=Counter)
    previous: Counter = field(default_factory=Counter)
    year_before: Counter = field(default_factory=Counter)
    opened: Counter = field(default_factory=Counter)
    minutes_open: Counter = field(default_factory=Counter)
    visits_on_opened: Counter = field(default_factory=Counter)
    volunteer_minutes: Counter = field(default_factory=Counter)

    def figures(self, keys) -> dict:
        """The figures of one unit (one key) or of several together."""

        def total(counter):
            return sum(counter[key] for key in keys)

        visits, first, hours = total(self.visits), total(self.first_visits), 0
        hours = total(self.minutes_open) / 60
        previous, year_before = total(self.previous), total(self.year_before)
        return {
            "visits": visits,
            "first_visits": first,
            "first_share": share(first, visits),
            "opened": total(self.opened),
            "per_opened": ratio(total(self.visits_on_opened), total(self.opened)),
            "hours_open": round(hours, 1),
            "per_hour": ratio(visits, hours),
            "previous": previous,
            "previous_change": change(visits, previous),
            "year_before": year_before,
            "year_before_change": change(visits, year_before),
            "volunteer_hours": round(total(self.volunteer_minutes) / 60, 1),
        }

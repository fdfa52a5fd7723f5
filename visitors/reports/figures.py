"""The figures of a report: a few queries, each returning typed rows, and the sums over them.

Everything per visit is counted in the database, in a fixed number of queries whatever the
period and however many locations: the rows that come back are per location and bucket (day,
week, month), per location × weekday × day-part, per choice: never per visit nor per day of
ten years. The settled days are read from the roll-ups (a whole year or month from the monthly
one when the figure allows, the other days from DailyCount), the last few from the visits
themselves, in one query per figure (`halves`, `_counts`; visitors/rollup.py says why they
always agree).
What is counted in Python are the opened day-parts (from the few rows of opening hours and
closures, per weekday) and the sums of the rows.

Manual tallies are stored as visits too (visitors.services.record_tally), so counting the
visits that are not voided counts both the tablet's taps and the tallies, each once.
"""

import datetime
import functools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtkamer.dates import day_long, day_short, monday_of, month_end
from buurtkamer.translated import name_in_active_language
from locations.models import Closure, OpeningHours
from volunteers.models import Assignment

from ..models import (
    DailyCount,
    FirstVisit,
    MonthlyCameVia,
    MonthlyCount,
    MonthlyTotal,
    Referral,
    ReferralTarget,
    SettledDays,
    Story,
    Visit,
)
from ..rollup import YEAR, AmongIds, IsoWeekday, StartOf
from .filters import Grouping, Per

# Visits per activity: the tablet's tag names an occurrence of an activity.
ACTIVITY_CATEGORY = "occurrence__activity__category"  # its name: name_in_active_language
ACTIVITY_TITLE = "occurrence__activity__title"


class BucketVisits(NamedTuple):
    location_id: int
    bucket: datetime.date  # the first day of the day, week or month
    visits: int
    first_visits: int


class SlotVisits(NamedTuple):
    location_id: int
    weekday: int
    day_part: str
    closed: bool  # the location was closed that day
    visits: int


class OpenedSlot(NamedTuple):
    location_id: int
    weekday: int
    day_part: str
    minutes: int
    times: int  # how often it was open in the period


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


def weekdays_between(start, end, weekday) -> int:
    """How many dates from start to end (inclusive) fall on this ISO weekday."""
    first = start + datetime.timedelta(days=(weekday - start.isoweekday()) % 7)
    return 0 if first > end else (end - first).days // 7 + 1


def opened_slots(location_ids, start, end) -> tuple[list[OpenedSlot], set]:
    """Per location, weekday and day-part of the opening hours: how often it was open from start
    to end (its dates minus the closed ones, as opened_day_parts counts them), in two queries
    and without a row per day; and the closed dates {(location id, date)}."""
    hours = (
        OpeningHours.objects.filter(location_id__in=location_ids)
        .order_by()
        .values_list("location_id", "weekday", "day_part", "opens_at", "closes_at")
    )
    closed = set(Closure.objects.order_by().closed_dates(location_ids, start, end))
    closed_on = Counter((location_id, day.isoweekday()) for location_id, day in closed)
    slots = [
        OpenedSlot(
            location_id,
            weekday,
            day_part,
            _minutes(opens_at, closes_at),
            weekdays_between(start, end, weekday) - closed_on[(location_id, weekday)],
        )
        for location_id, weekday, day_part, opens_at, closes_at in hours
    ]
    return slots, closed


def settled_through() -> datetime.date | None:
    """The last day of the roll-up (visitors/rollup.py); one query, once per report."""
    return SettledDays.objects.filter(pk=1).values_list("through", flat=True).first()


class Half(NamedTuple):
    """One part of a period's counts (see halves)."""

    rows: object  # a queryset of DailyCount, a monthly roll-up or Visit; `date` (the month's
    # first day in a monthly roll-up), `month` and `weekday` on each
    n: object  # n(condition=None): the aggregate of visits
    first: object  # first(condition=None): the aggregate of first visits
    has_first: Q  # the condition of a row that holds first visits
    # A monthly roll-up's rows as they are: (visits, first visits) of one row, for a figure
    # whose keys its rows are unique by (no GROUP BY of its own: _grouped's `plain`); None for
    # the other halves.
    plain: tuple | None = None


def whole_months(start, end) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of the whole calendar months from start to end, if any."""
    first = start if start.day == 1 else month_end(start) + datetime.timedelta(days=1)
    last = end if end == month_end(end) else end.replace(day=1) - datetime.timedelta(days=1)
    return (first, last) if first <= last else None


def whole_years(start, end) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of the whole calendar years from start to end, if any."""
    first = start if (start.month, start.day) == (1, 1) else datetime.date(start.year + 1, 1, 1)
    last = end if (end.month, end.day) == (12, 31) else datetime.date(end.year - 1, 12, 31)
    return (first, last) if first <= last else None


def calendar_pieces(start, end, spans) -> list[tuple[int, datetime.date, datetime.date]]:
    """start to end (inclusive) cut into whole calendar years and months (`spans`, of YEAR and
    1, the longest first) and the days around them: [(months, first, last)], 0 for days."""
    if start > end:
        return []
    if not spans:
        return [(0, start, end)]
    whole = (whole_years if spans[0] == YEAR else whole_months)(start, end)
    if whole is None:
        return calendar_pieces(start, end, spans[1:])
    day = datetime.timedelta(days=1)
    return [
        *calendar_pieces(start, whole[0] - day, spans[1:]),
        (spans[0], *whole),
        *calendar_pieces(whole[1] + day, end, spans[1:]),
    ]


def _any(conditions):
    return functools.reduce(operator.or_, conditions)


def halves(ids, start, end, through, months=None, years=False) -> list[Half]:
    """The counts of a period come from two halves: the roll-up up to the last settled day
    `through`, the visits themselves after it (visitors/rollup.py); a half outside the period is
    left out. A roll-up day always equals its visits (the writes that change a settled day
    recount it), so a day settled after `through` was read is still counted right, from the
    visits. `months`: a monthly roll-up (MonthlyCount, MonthlyCameVia) that has what the figure
    groups by; the whole months (and with `years` the whole calendar years) up to `through` are
    read from it (its `date` the first day of the month or year), the other settled days from
    DailyCount. [Half]: the rows of each part, its aggregates (a filter optional) and the
    condition of a row that holds first visits."""
    day = datetime.timedelta(days=1)
    found = []
    if through is not None and start <= through:
        spans = ([YEAR] if years else []) + [1] if months is not None else []
        pieces = calendar_pieces(start, min(end, through), spans)
        coarse = [Q(months=n, month__range=(a, b)) for n, a, b in pieces if n]
        if coarse:
            rows = months.objects.filter(_any(coarse), AmongIds("location_id", ids))
            rows = rows.alias(date=F("month"))
            plain = (F("visits"), F("first_visits"))
            found.append(Half(rows, rolled_n, rolled_first, Q(first_visits__gt=0), plain))
        daily = [Q(date__range=(a, b)) for n, a, b in pieces if not n]
        if daily:
            rolled = DailyCount.objects.filter(_any(daily), AmongIds("location_id", ids))
            rolled = rolled.alias(weekday=IsoWeekday("date"), month=StartOf("month", "date"))
            found.append(Half(rolled, rolled_n, rolled_first, Q(first_visits__gt=0)))
    if through is None or end > through:
        live_start = start if through is None else max(start, through + day)
        live = (
            Visit.objects.counted()
            .filter(AmongIds("location_id", ids), recorded_on__range=(live_start, end))
            .alias(
                date=F("recorded_on"),
                weekday=IsoWeekday("recorded_on"),
                month=StartOf("month", "recorded_on"),
            )
        )
        found.append(Half(live, live_n, live_first, Q(first_visit=FirstVisit.YES)))
    return found


def rolled_n(condition=None):
    return Sum("visits", filter=condition)


def rolled_first(condition=None):
    return Sum("first_visits", filter=condition)


def live_n(condition=None):
    return Count("id", filter=condition)


def live_first(condition=None):
    yes = Q(first_visit=FirstVisit.YES)
    return Count("id", filter=yes if condition is None else yes & condition)


def _grouped(
    ids,
    start,
    end,
    keys,
    measures,
    *,
    through,
    only=None,
    first_only=False,
    months=None,
    years=True,
    plain=False,
):
    """The grouped rows of each half, `keys` ({name: expression}) and then the measures:
    `measures(n, first)` gives the aggregates by name from the half's own count and
    first-visit count; `first_only`: only the rows with first visits (for a measure of them);
    `plain`: the monthly roll-up's rows are unique by the keys (a location and month of
    MonthlyTotal), so they go to _summed's sums as they are, not grouped twice (over ten years
    of 250 locations 30,000 rows hashed once instead of twice).
    ([values_list querysets], measure names)."""
    parts, names = [], []
    for half in halves(ids, start, end, through, months, years):
        rows = half.rows if only is None else half.rows.filter(only)
        if first_only:  # a measure of first visits only: the other rows add nothing
            rows = rows.filter(half.has_first)
        if plain and half.plain is not None:
            row_n, row_first = half.plain
            values = measures(lambda n=row_n: n, lambda first=row_first: first)
            names = list(values)
            parts.append(rows.order_by().values(**keys, **values).values_list(*keys, *names))
            continue
        aggregates = measures(half.n, half.first)
        names = list(aggregates)
        grouped = rows.order_by().values(**keys).annotate(**aggregates)
        parts.append(grouped.values_list(*keys, *names))
    return parts, names


def _summed(parts, keys, names) -> list[tuple]:
    """One query: the parts (a UNION ALL) added up by their keys in the database, a row per key:
    [(*key, *measures)], a measure 0 when nothing counted. The plain rows of the cursor (tens of
    thousands for ten years per month and location): no converting of each value (a date may
    come as text: _as_date), no dict per row."""
    # No ordering: not even a model's default one (Visit's) on a union led by the visits.
    query = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    sql, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    grouped = ", ".join(quote(key) for key in keys)
    # Each part's measure is a count (far below 2**31): summed as integers, PostgreSQL adds
    # them up in a bigint; a bigint's SUM would be a numeric, several times the work and memory
    # per key (30,000 keys for ten years per month).
    sums = ", ".join(
        f"CAST(COALESCE(SUM(CAST({quote(name)} AS integer)), 0) AS bigint)" for name in names
    )
    outer = f"SELECT {grouped}, {sums} FROM ({sql}) parts GROUP BY {grouped}"  # noqa: S608 (names quoted, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return cursor.fetchall()


def _counts(ids, start, end, keys, measures, *, through, **options) -> list[tuple]:
    """One query grouped by `keys`, the halves added up (_grouped, _summed)."""
    parts, names = _grouped(ids, start, end, keys, measures, through=through, **options)
    return _summed(parts, keys, names)


def _trunc(grouping):
    # A date, not a moment: no time zone to convert for each row on the way in or out.
    if grouping == Grouping.WEEK:
        return TruncWeek("date", output_field=DateField())
    if grouping == Grouping.MONTH:
        return F("month")
    return F("date")


def bucket_visits(ids, filters, through) -> list[BucketVisits]:
    """Visits and first visits per location and bucket (day, week or month)."""
    rows = _counts(
        ids,
        filters.start,
        filters.end,
        {"loc": F("location_id"), "bucket": _trunc(filters.grouping)},
        lambda n, first: {"n": n(), "first": first()},
        through=through,
        months=MonthlyTotal if filters.grouping == Grouping.MONTH else None,
        years=False,  # a bucket is a month at most
        plain=filters.grouping == Grouping.MONTH,  # a row of MonthlyTotal is a bucket
    )
    if {type(bucket) for _loc, bucket, _n, _first in rows} <= {datetime.date}:
        return list(map(BucketVisits._make, rows))  # as they come (PostgreSQL: dates)
    return [BucketVisits(loc, _as_date(bucket), n, first) for loc, bucket, n, first in rows]


def _as_date(value):
    """A bucket or day as it comes from the cursor (_summed) as a date: PostgreSQL may give a
    moment (DATE_TRUNC), SQLite gives text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def slot_visits(ids, filters, closed, through) -> list[SlotVisits]:
    """Visits per location, weekday and day-part, apart on the days the location was closed
    (`closed`: {(location id, date)}, from opened_slots); those count in the totals, not on an
    opened day-part. One query: the totals (whole months from MonthlyCount) and, from the days,
    the visits on each date some location was closed (few rows), taken off the totals here."""
    days = sorted({day for _location, day in closed})
    keys = {"loc": F("location_id"), "wd": F("weekday"), "part": F("day_part")}
    no_day = Value(None, output_field=DateField())
    parts, names = _grouped(
        ids,
        filters.start,
        filters.end,
        {**keys, "day": no_day},
        lambda n, first: {"n": n()},
        through=through,
        months=MonthlyCount,
    )
    if days:
        on_days, _names = _grouped(
            ids,
            filters.start,
            filters.end,
            {**keys, "day": F("date")},
            lambda n, first: {"n": n()},
            through=through,
            only=Q(date__in=days),
        )
        parts += on_days
    rows = _summed(parts, [*keys, "day"], names)
    found, totals = [], Counter()
    for loc, weekday, part, day, n in rows:
        if day is None:
            totals[(loc, weekday, part)] += n
        elif (loc, _as_date(day)) in closed:
            found.append(SlotVisits(loc, weekday, part, True, n))
            totals[(loc, weekday, part)] -= n
    found += [SlotVisits(*key, False, n) for key, n in totals.items()]
    return found


def earlier_visits(ids, filters, through) -> list[Earlier]:
    """The visits of the period just before and of the same period a year earlier, per location:
    one query, each period by itself (whole years and months from MonthlyTotal); once when they
    are the same period (a calendar year)."""
    periods = [filters.previous, filters.year_before]
    if periods[0] == periods[1]:
        periods = periods[:1]
    parts, names = [], []
    for which, (start, end) in enumerate(periods):
        grouped, names = _grouped(
            ids,
            start,
            end,
            {"loc": F("location_id"), "which": Value(which)},
            lambda n, first: {"n": n()},
            through=through,
            months=MonthlyTotal,
        )
        parts += grouped
    found = defaultdict(lambda: [0, 0])
    for loc, which, n in _summed(parts, ["loc", "which"], names):
        found[loc][which] += n
    if len(periods) == 1:
        return [Earlier(loc, n, n) for loc, (n, _none) in found.items()]
    return [Earlier(loc, previous, before) for loc, (previous, before) in found.items()]


def came_via(ids, filters, through) -> list[Named]:
    """First visits by how they came, the most first."""
    rows = _counts(
        ids,
        filters.start,
        filters.end,
        {"name": name_in_active_language("came_via")},
        lambda n, first: {"n": first()},
        through=through,
        first_only=True,
        months=MonthlyCameVia,
    )
    counted = [(name, n) for name, n in rows if n]
    counted.sort(key=lambda row: (-row[1], row[0] is None, row[0] or ""))
    return [Named(name or _("niet ingevuld"), n) for name, n in counted]


def referrals(ids, filters) -> list[Named]:
    """Referrals per target, the most first: one query, counted per target id and then joined
    to the targets' names (over ten years of 250 locations 174,000 rows, not each joined)."""
    counted = (
        Referral.objects.counted()
        .filter(AmongIds("location_id", ids), date__range=(filters.start, filters.end))
        .order_by()
        .values("target_id")
        .annotate(n=Count("*"))
    )
    names = (
        ReferralTarget.objects.order_by()
        .annotate(label=name_in_active_language(""))
        .values_list("pk", "label")
    )
    counted_sql, counted_params = counted.query.sql_with_params()
    names_sql, names_params = names.query.sql_with_params()
    query = (
        f'SELECT t."label", c."n" FROM ({counted_sql}) c '  # noqa: S608 (values as parameters)
        f'INNER JOIN ({names_sql}) t ON t."pk" = c."target_id" ORDER BY c."n" DESC, t."label"'
    )
    with connection.cursor() as cursor:
        cursor.execute(query, (*counted_params, *names_params))
        return [Named(*row) for row in cursor.fetchall()]


def activity_visits(ids, filters, through) -> list[ActivityVisits]:
    """Visits that named an occurrence of an activity on the tablet."""
    rows = _counts(
        ids,
        filters.start,
        filters.end,
        {"category": name_in_active_language(ACTIVITY_CATEGORY), "title": F(ACTIVITY_TITLE)},
        lambda n, first: {"n": n()},
        through=through,
        only=Q(occurrence__isnull=False),
    )
    return sorted(ActivityVisits(category, title, n) for category, title, n in rows)


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

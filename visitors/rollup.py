"""The daily roll-up of the visits (DailyCount) that the reports read for ten years and 250
locations at once, and why it always equals counting the visits.

Why not one upsert per tap. Keeping a count per location × day × day-part up to date with every
tap costs the check-in an extra statement (and all taps of a location queue on one row); the
check-in is the one write that must stay near a single INSERT. The report does not need today
from a roll-up: the last few days are few rows.

So the roll-up holds only *settled* days: SettledDays.through is the last day in it, and the
reports count every later day from the visits themselves (visitors/reports/figures.py: one
query per figure, a UNION ALL of the two halves). The report reads `through` once; should the
job settle more days meanwhile, those days are counted from the visits, which is equally right:
a settled day's rows always equal its visits (below). A day is settled once no tap can land on
it any more:

    a tap's moment is at least now - DEVICE_TIME_MAX_AGE (48 h; services.moment_of_tap), an
    undo only touches a tap of the last 70 minutes (services.undo_visit);
    `settle_visits` (nightly, buurtkamer/jobs.py) settles up to the day before
    localdate(now - DEVICE_TIME_MAX_AGE - SETTLE_MARGIN): a day whose last moment lies more
    than 72 hours back. A tap could only land there if its request began a day before the job.

What can still change a settled day is a manual tally (entered, corrected or voided up to a
year back). Each of those recounts its location-day in its own transaction (`recount`), after
taking the lock on the SettledDays row; `settle` takes the same lock first. Either the tally
commits first, and the job's INSERT ... SELECT (a later statement, a newer snapshot) counts it;
or the job commits first, and the tally then reads the new `through`, sees its day settled and
recounts it. Recounting is delete-and-insert of that location-day from the visits, so it is
right whatever was there. (SQLite has one writer at a time: the same order.)

Occurrences: a deleted occurrence sets Visit.occurrence and DailyCount.occurrence to NULL alike
(both SET_NULL), so the sums stay equal; rows are never matched by their key, only summed.

`generate_history` (visitors/history.py) writes visits in bulk: it recounts the days it wrote
that were already settled and settles the rest (`refill`).

Per month and per year. A report over ten years of 250 locations would still sum 745,000 daily
rows; the roll-ups MonthlyCount (per location, month or calendar year, weekday and day-part)
and MonthlyCameVia (the first visits per location, month or year and how they came) hold a
sixth and a fifth of that per month, a sixtieth per year; MonthlyTotal (per location and month
or year alone) a 25th per month. They are no separate truth:
`_recount` replaces the daily rows of some days and then recounts the months and years of those
days from DailyCount (`_count_months`), in the same transaction, so a month's or year's rows
are always the sum of its daily rows (the month and year of `through` hold their settled days
only). The reports read a month or year from them only when all of it lies in the period and
up to `through` (visitors/reports/figures.py, `halves`).
"""

import datetime
from collections import Counter

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, Count, DateField, F, Func, IntegerField, Q, Sum, Value
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth, TruncYear
from django.utils import timezone

from buurtkamer.dates import month_end

from .models import (
    DailyCount,
    FirstVisit,
    MonthlyCameVia,
    MonthlyCount,
    MonthlyTotal,
    SettledDays,
    Visit,
)

SETTLE_MARGIN = datetime.timedelta(days=1)
COLUMNS = [
    "location_id",
    "date",
    "day_part",
    "came_via_id",
    "occurrence_id",
    "visits",
    "first_visits",
]


class IsoWeekday(Func):
    """The ISO weekday (1 Monday ... 7 Sunday) of a date. On PostgreSQL by arithmetic on the
    days since Monday 1 January 1900: over ten years of roll-up rows about a third quicker than
    EXTRACT(ISODOW ...), which goes through a timestamp and a numeric. Elsewhere Django's
    ExtractIsoWeekDay."""

    arity = 1
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        extract = ExtractIsoWeekDay(self.source_expressions[0])
        return compiler.compile(extract.resolve_expression(compiler.query))

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(((({sql}) - DATE '1900-01-01') %% 7 + 7) %% 7 + 1)", params


class StartOf(Func):
    """The first day of the month or year (`kind`) of a date, as a date. On PostgreSQL
    DATE_TRUNC of the date as a timestamp without time zone (a date alone would go through
    timestamptz, converted to the time zone in and out for each row); elsewhere Django's
    TruncMonth or TruncYear."""

    arity = 1
    output_field = DateField()

    def __init__(self, kind, expression, **extra):
        self.kind = kind
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        trunc = TruncMonth if self.kind == "month" else TruncYear
        start = trunc(self.source_expressions[0], output_field=DateField())
        return compiler.compile(start.resolve_expression(compiler.query))

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(DATE_TRUNC('{self.kind}', CAST({sql} AS timestamp)) AS date)", params


class AmongIds(Func):
    """`column IN (ids)` as a filter (`.filter(AmongIds("location_id", ids))`). On PostgreSQL
    `column = ANY(%s)` with the ids as one array parameter: 250 locations' ids in each part of
    a report's queries were 250 parameters each, adapted one by one by the driver (about 15 ms
    for 750); the array is one. No ids: nothing matches, as with `__in=[]`."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, ids, **extra):
        self.ids = list(ids)
        super().__init__(F(column), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]

    def as_postgresql(self, compiler, connection, **extra_context):
        if not self.ids:
            raise EmptyResultSet
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s)", [*params, self.ids]


def settle_boundary(now: datetime.datetime) -> datetime.date:
    """The last day that is settled at `now` (see the module's docstring)."""
    from .services import DEVICE_TIME_MAX_AGE

    return timezone.localdate(now - DEVICE_TIME_MAX_AGE - SETTLE_MARGIN) - datetime.timedelta(
        days=1
    )


def _locked_marker() -> SettledDays:
    marker, _created = SettledDays.objects.select_for_update().get_or_create(pk=1)
    return marker


def _insert(model, columns, grouped) -> int:
    """INSERT ... SELECT: the rows of `grouped` (a queryset whose SQL selects `columns` in that
    order) into the table of `model`, in one statement in the database."""
    sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount


def _count_into_rollup(visits) -> int:
    """INSERT ... SELECT the roll-up rows of these visits (one statement, in the database)."""
    grouped = (
        visits.counted()
        .order_by()
        .values_list("location_id", "recorded_on", "day_part", "came_via_id", "occurrence_id")
        .annotate(n=Count("id"), first=Count("id", filter=Q(first_visit=FirstVisit.YES)))
    )
    return _insert(DailyCount, COLUMNS, grouped)


YEAR = 12  # MonthlyCount.months of a calendar year's row


def _count_months(start, end, location_ids=None) -> None:
    """Replace the monthly roll-ups of the months and years from start to end by summing their
    daily rows (visitors.models.MonthlyCount, MonthlyTotal, MonthlyCameVia: rows per month and
    per year)."""
    first_month, last_month = start.replace(day=1), month_end(end)
    first_year, last_year = start.replace(month=1, day=1), end.replace(month=12, day=31)
    days = DailyCount.objects.filter(date__range=(first_year, last_year)).order_by()
    if location_ids is not None:
        days = days.filter(location_id__in=location_ids)
    for model in (MonthlyCount, MonthlyTotal, MonthlyCameVia):
        rows = model.objects.filter(
            Q(months=1, month__range=(first_month, last_month))
            | Q(months=YEAR, month__range=(first_year, last_year))
        )
        if location_ids is not None:
            rows = rows.filter(location_id__in=location_ids)
        rows.delete()
    for months, kind, scope in (
        (1, "month", days.filter(date__range=(first_month, last_month))),
        (YEAR, "year", days),
    ):
        # Model fields come first in the SELECT, then the annotations in their order.
        span = Value(months, output_field=IntegerField())
        per_slot = scope.annotate(m=StartOf(kind, "date"), wd=IsoWeekday("date"), span=span)
        _insert(
            MonthlyCount,
            ["location_id", "day_part", "month", "weekday", "months", "visits", "first_visits"],
            per_slot.values("location_id", "day_part", "m", "wd", "span").annotate(
                n=Sum("visits"), first=Sum("first_visits")
            ),
        )
        per_month = scope.annotate(m=StartOf(kind, "date"), span=span)
        _insert(
            MonthlyTotal,
            ["location_id", "month", "months", "visits", "first_visits"],
            per_month.values("location_id", "m", "span").annotate(
                n=Sum("visits"), first=Sum("first_visits")
            ),
        )
        per_way = scope.filter(first_visits__gt=0).annotate(m=StartOf(kind, "date"), span=span)
        _insert(
            MonthlyCameVia,
            ["location_id", "came_via_id", "month", "months", "first_visits"],
            per_way.values("location_id", "came_via_id", "m", "span").annotate(
                first=Sum("first_visits")
            ),
        )


def _recount(start, end, location_ids=None) -> int:
    """Replace the roll-up rows from start to end (inclusive) by counting the visits, and the
    monthly roll-ups of their months by summing the daily rows."""
    rows = DailyCount.objects.filter(date__range=(start, end))
    visits = Visit.objects.filter(recorded_on__range=(start, end))
    if location_ids is not None:
        rows = rows.filter(location_id__in=location_ids)
        visits = visits.filter(location_id__in=location_ids)
    rows.delete()
    added = _count_into_rollup(visits)
    _count_months(start, end, location_ids)
    return added


def settle(now: datetime.datetime | None = None) -> tuple[datetime.date | None, int]:
    """The nightly job: roll up the days that have become settled. (through, rows added)."""
    through = settle_boundary(now or timezone.now())
    with transaction.atomic():
        marker = _locked_marker()
        if marker.through is not None and marker.through >= through:
            return marker.through, 0
        start = marker.through + datetime.timedelta(days=1) if marker.through else datetime.date.min
        added = _recount(start, through)
        marker.through = through
        marker.save(update_fields=["through"])
    return through, added


def recount(location_id: int, day: datetime.date) -> None:
    """After a write that changed the visits of a location-day, in its transaction: recount that
    day's roll-up when the day is settled (nothing to do otherwise). Takes the marker's lock."""
    marker = _locked_marker()
    if marker.through is not None and day <= marker.through:
        _recount(day, day, [location_id])


def refill(start: datetime.date, end: datetime.date, now=None) -> None:
    """After visits were written in bulk from start to end (generate_history): recount what of
    it was settled already, then settle what has become settled."""
    with transaction.atomic():
        marker = _locked_marker()
        if marker.through is not None and start <= marker.through:
            _recount(start, min(end, marker.through))
    settle(now)


def rebuild(now=None) -> tuple[datetime.date | None, int]:
    """Everything again from the visits (`settle_visits --rebuild`)."""
    with transaction.atomic():
        marker = _locked_marker()
        DailyCount.objects.all().delete()
        MonthlyCount.objects.all().delete()
        MonthlyTotal.objects.all().delete()
        MonthlyCameVia.objects.all().delete()
        marker.through = None
        marker.save(update_fields=["through"])
        return settle(now)


KEY = ["location_id", "day_part", "came_via_id", "occurrence_id"]


def mismatches() -> list[tuple]:
    """Where the roll-up differs from counting the visits of the settled days (and rows after
    them): [(date, location, day part, came via, occurrence, (visits, first) rolled up,
    (visits, first) counted)], and where a monthly roll-up differs from summing the daily one
    (_month_mismatches); empty when they are equal. For the bench and
    `settle_visits --check`: it counts every settled visit, seconds on millions."""
    through = SettledDays.objects.filter(pk=1).values_list("through", flat=True).first()
    rolled, counted = Counter(), Counter()
    for row in DailyCount.objects.values_list("date", *KEY).annotate(
        n=Sum("visits"), first=Sum("first_visits")
    ):
        rolled[row[:-2]] = (row[-2], row[-1])
    if through is not None:
        for row in (
            Visit.objects.counted()
            .filter(recorded_on__lte=through)
            .order_by()
            .values_list("recorded_on", *KEY)
            .annotate(n=Count("id"), first=Count("id", filter=Q(first_visit=FirstVisit.YES)))
        ):
            counted[row[:-2]] = (row[-2], row[-1])
    return [
        (*key, rolled.get(key, (0, 0)), counted.get(key, (0, 0)))
        for key in sorted(set(rolled) | set(counted), key=str)
        if rolled.get(key, (0, 0)) != counted.get(key, (0, 0))
        and (rolled.get(key, (0, 0)) != (0, 0) or counted.get(key, (0, 0)) != (0, 0))
    ] + _month_mismatches(rolled)


def _month_mismatches(days) -> list[tuple]:
    """Where a monthly or yearly roll-up differs from summing the daily one (`days`: {(date,
    *KEY): (visits, first)}), the weekday counted here in Python: [(table, key, stored,
    summed)]."""
    slots, totals, ways = Counter(), Counter(), Counter()
    for (day, location_id, day_part, came_via_id, _occurrence), (n, first) in days.items():
        for months, start in ((1, day.replace(day=1)), (YEAR, day.replace(month=1, day=1))):
            slot = (location_id, start, months, day.isoweekday(), day_part)
            slots[(*slot, "n")] += n
            slots[(*slot, "first")] += first
            totals[(location_id, start, months, "n")] += n
            totals[(location_id, start, months, "first")] += first
            ways[(location_id, start, months, came_via_id)] += first
    stored_slots, stored_totals, stored_ways = Counter(), Counter(), Counter()
    for *key, n, first in MonthlyCount.objects.values_list(
        "location_id", "month", "months", "weekday", "day_part", "visits", "first_visits"
    ):
        stored_slots[(*key, "n")] += n
        stored_slots[(*key, "first")] += first
    for *key, n, first in MonthlyTotal.objects.values_list(
        "location_id", "month", "months", "visits", "first_visits"
    ):
        stored_totals[(*key, "n")] += n
        stored_totals[(*key, "first")] += first
    for *key, first in MonthlyCameVia.objects.values_list(
        "location_id", "month", "months", "came_via_id", "first_visits"
    ):
        stored_ways[tuple(key)] += first
    return [
        (table, key, stored[key], summed[key])
        for table, stored, summed in (
            ("MonthlyCount", stored_slots, slots),
            ("MonthlyTotal", stored_totals, totals),
            ("MonthlyCameVia", stored_ways, ways),
        )
        for key in sorted(set(stored) | set(summed), key=str)
        if stored[key] != summed[key]
    ]

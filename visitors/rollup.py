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
"""

import datetime
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import DailyCount, FirstVisit, SettledDays, Visit

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


def settle_boundary(now: datetime.datetime) -> datetime.date:
    """The last day that is settled at `now` (see the module's docstring)."""
    from .services import DEVICE_TIME_MAX_AGE

    return timezone.localdate(now - DEVICE_TIME_MAX_AGE - SETTLE_MARGIN) - datetime.timedelta(
        days=1
    )


def _locked_marker() -> SettledDays:
    marker, _created = SettledDays.objects.select_for_update().get_or_create(pk=1)
    return marker


def _count_into_rollup(visits) -> int:
    """INSERT ... SELECT the roll-up rows of these visits (one statement, in the database)."""
    grouped = (
        visits.counted()
        .order_by()
        .values_list("location_id", "recorded_on", "day_part", "came_via_id", "occurrence_id")
        .annotate(n=Count("id"), first=Count("id", filter=Q(first_visit=FirstVisit.YES)))
    )
    sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def _recount(start, end, location_ids=None) -> int:
    """Replace the roll-up rows from start to end (inclusive) by counting the visits."""
    rows = DailyCount.objects.filter(date__range=(start, end))
    visits = Visit.objects.filter(recorded_on__range=(start, end))
    if location_ids is not None:
        rows = rows.filter(location_id__in=location_ids)
        visits = visits.filter(location_id__in=location_ids)
    rows.delete()
    return _count_into_rollup(visits)


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
        marker.through = None
        marker.save(update_fields=["through"])
        return settle(now)


KEY = ["location_id", "day_part", "came_via_id", "occurrence_id"]


def mismatches() -> list[tuple]:
    """Where the roll-up differs from counting the visits of the settled days (and rows after
    them): [(date, location, day part, came via, occurrence, (visits, first) rolled up,
    (visits, first) counted)]; empty when they are equal. For the bench and
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
    ]

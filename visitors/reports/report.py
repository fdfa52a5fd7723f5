"""`build_report`: the figures of a report in a fixed number of queries (11; see the tests),
put together from the typed rows of `figures` and laid out as the tables of `tables`."""

from collections import Counter
from dataclasses import dataclass, field

from locations.models import DayPart

from . import figures as q
from .filters import Filters


@dataclass
class Report:
    filters: Filters
    units: list
    tables: list = field(default_factory=list)
    buckets: list = field(default_factory=list)  # [(date, label)]
    totals: dict = field(default_factory=dict)
    per_unit: dict = field(default_factory=dict)  # unit key -> {figure: value}
    timeline: dict = field(default_factory=dict)  # unit key -> [count per bucket]
    heat: dict = field(default_factory=dict)  # (weekday, day part) -> visits
    slots: list = field(default_factory=list)  # [Slot], busiest first
    stories: list = field(default_factory=list)
    came_via: list = field(default_factory=list)  # [Named]
    referrals: list = field(default_factory=list)  # [Named]
    activities: list = field(default_factory=list)  # [ActivityVisits]

    def table(self, key):
        return next((table for table in self.tables if table.key == key), None)


def _add_visits(report, sums, unit_of, rows):
    """The visits per unit and bucket: into the units' sums and the timeline (added up per
    location first, then per unit: 30,000 rows for ten years of 250 locations per month)."""
    position = {key: index for index, (key, _label) in enumerate(report.buckets)}
    report.timeline = {unit.key: [0] * len(report.buckets) for unit in report.units}
    line_of = {location: report.timeline[unit] for location, unit in unit_of.items()}
    visits, first_visits = Counter(), Counter()
    for location_id, bucket, n, first in rows:
        line_of[location_id][position[bucket]] += n
        visits[location_id] += n
        first_visits[location_id] += first
    for location_id, n in visits.items():
        sums.visits[unit_of[location_id]] += n
        sums.first_visits[unit_of[location_id]] += first_visits[location_id]


def _add_opened(report, sums, unit_of, opened, rows):
    """The opened day-parts: times and hours open, the visits on them (a tally for a closed
    day counts in the totals, not here), the heat map and the busiest and quietest weekday ×
    day-part."""
    heat, visits_at = Counter(), Counter()
    for row in rows:
        heat[(row.weekday, row.day_part)] += row.visits
        if not row.closed:
            visits_at[(row.location_id, row.weekday, row.day_part)] += row.visits
    report.heat = dict(heat)
    slot_opened, slot_visits = Counter(), Counter()
    for slot in opened:
        if not slot.times:
            continue
        unit = unit_of[slot.location_id]
        n = visits_at[(slot.location_id, slot.weekday, slot.day_part)]
        sums.opened[unit] += slot.times
        sums.minutes_open[unit] += slot.times * slot.minutes
        sums.visits_on_opened[unit] += n
        slot_opened[(slot.weekday, slot.day_part)] += slot.times
        slot_visits[(slot.weekday, slot.day_part)] += n
    order = {part.value: index for index, part in enumerate(DayPart)}
    slots = [
        q.Slot(
            weekday, part, n, slot_visits[(weekday, part)], q.ratio(slot_visits[(weekday, part)], n)
        )
        for (weekday, part), n in slot_opened.items()
    ]
    report.slots = sorted(slots, key=lambda s: (-(s.average or 0), s.weekday, order[s.day_part]))


def _add_earlier_and_shifts(sums, unit_of, earlier, shifts):
    for row in earlier:
        sums.previous[unit_of[row.location_id]] += row.previous
        sums.year_before[unit_of[row.location_id]] += row.year_before
    for row in shifts:
        minutes = q._minutes(row.starts_at, row.ends_at) * row.people
        sums.volunteer_minutes[unit_of[row.location_id]] += minutes


def build_report(filters: Filters, *, with_stories=True) -> Report:
    """All the figures of the report, in a fixed number of queries (10, 11 with the stories)."""
    from .tables import report_tables

    report = Report(filters=filters, units=q.units(filters), buckets=q.buckets(filters))
    ids = [location.pk for location in filters.locations]
    unit_of = {pk: unit.key for unit in report.units for pk in unit.location_ids}
    sums = q.Sums()
    through = q.settled_through()  # the last day of the roll-up: visitors/rollup.py
    _add_visits(report, sums, unit_of, q.bucket_visits(ids, filters, through))
    opened, closed = q.opened_slots(ids, filters.start, filters.end)
    _add_opened(report, sums, unit_of, opened, q.slot_visits(ids, filters, closed, through))
    _add_earlier_and_shifts(
        sums, unit_of, q.earlier_visits(ids, filters, through), q.attended_shifts(ids, filters)
    )
    report.came_via = q.came_via(ids, filters, through)
    report.referrals = q.referrals(ids, filters)
    report.activities = q.activity_visits(ids, filters, through)
    if with_stories:
        report.stories = q.stories(ids, filters)
    report.per_unit = {unit.key: sums.figures([unit.key]) for unit in report.units}
    report.totals = sums.figures([unit.key for unit in report.units])
    report.tables = report_tables(report)
    return report

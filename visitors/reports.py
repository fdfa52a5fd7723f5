"""Attendance reports: which period, which locations, and the figures of it.

Everything per visit is counted in the database (values/annotate/Count with filter/Trunc), in
a fixed number of queries whatever the period: the rows that come back are per location and
period bucket, per weekday and day-part, per choice: never per visit. What is counted in Python
are the opened day-parts (from the few rows of opening hours and closures).

Manual tallies are stored as visits too (visitors.services.record_tally), so counting the
visits that are not voided counts both the tablet's taps and the tallies, each once.

The figures are a list of `Table`s: the page shows them, the CSV and XLSX write exactly them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtkamer.dates import (
    earliest_date,
    in_range,
    latest_date,
    monday_of,
    month_end,
    parse_date,
    previous_month,
    range_message,
    years_before,
)
from buurtkamer.permissions import Action, locations_for
from locations.models import Closure, DayPart, OpeningHours, Weekday
from volunteers.models import Assignment

from .models import FirstVisit, Referral, Story, Visit

# Visits per activity: the tablet's tag names an occurrence of an activity.
ACTIVITY_CATEGORY = "occurrence__activity__category__name"
ACTIVITY_TITLE = "occurrence__activity__title"

# Periods -------------------------------------------------------------------------------------

PRESETS = {
    "deze-week": gettext_lazy("deze week"),
    "vorige-week": gettext_lazy("vorige week"),
    "deze-maand": gettext_lazy("deze maand"),
    "vorige-maand": gettext_lazy("vorige maand"),
    "dit-kwartaal": gettext_lazy("dit kwartaal"),
    "dit-jaar": gettext_lazy("dit jaar"),
    "vorig-jaar": gettext_lazy("vorig jaar"),
    "anders": gettext_lazy("van – tot"),
}
GROUPINGS = {
    "dag": gettext_lazy("per dag"),
    "week": gettext_lazy("per week"),
    "maand": gettext_lazy("per maand"),
}
PER = {"locatie": gettext_lazy("per locatie"), "gemeente": gettext_lazy("per gemeente")}
# A period longer than this is refused: a typo in a year should not ask for centuries.
LONGEST_PERIOD = datetime.timedelta(days=366 * 11)
SMALL = 5  # "voor extern gebruik": counts from 1 to SMALL - 1 are shown as "<5"


def preset_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = monday_of(today)
    if preset == "deze-week":
        return monday, monday + datetime.timedelta(days=6)
    if preset == "vorige-week":
        return monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)
    if preset == "deze-maand":
        return today.replace(day=1), month_end(today)
    if preset == "vorige-maand":
        return previous_month(today)
    if preset == "dit-kwartaal":
        first_month = (today.month - 1) // 3 * 3 + 1
        start = today.replace(month=first_month, day=1)
        return start, month_end(start.replace(month=first_month + 2))
    if preset == "dit-jaar":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    if preset == "vorig-jaar":
        year = today.year - 1
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    raise ValueError(preset)


def default_grouping(start, end) -> str:
    days = (end - start).days + 1
    if days <= 31:
        return "dag"
    if days <= 92:
        return "week"
    return "maand"


@dataclass
class Filters:
    start: datetime.date
    end: datetime.date
    locations: list  # Location objects, in name order
    grouping: str = "week"
    per: str = "locatie"
    preset: str = "anders"
    external: bool = False
    all_locations: bool = True  # no choice made: everything the person may see
    allowed: list = field(default_factory=list)  # every location the person may choose
    notice: str = ""  # why the dates asked for were not used (shown above the figures)

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def previous(self):
        """The period of the same length just before."""
        length = datetime.timedelta(days=self.days)
        return self.start - length, self.end - length

    @property
    def year_before(self):
        return years_before(self.start), years_before(self.end)

    @property
    def label(self):
        return f"{date_format(self.start, 'j b Y')} – {date_format(self.end, 'j b Y')}"

    def filename(self, extension: str) -> str:
        """The filters in the file name: rapportage_2026-01-01_2026-12-31_dokkum_per-maand."""
        places = "alle-locaties" if self.all_locations else "-".join(x.slug for x in self.locations)
        parts = ["rapportage", self.start.isoformat(), self.end.isoformat(), places]
        parts.append(f"per-{self.grouping}")
        if self.per == "gemeente":
            parts.append("per-gemeente")
        if self.external:
            parts.append("extern")
        return "_".join(parts) + f".{extension}"

    def query(self, **changes) -> str:
        """The query string of these filters (for the export links)."""
        from django.http import QueryDict

        params = QueryDict(mutable=True)
        params["periode"] = self.preset
        if self.preset == "anders":
            params["van"], params["tot"] = self.start.isoformat(), self.end.isoformat()
        if not self.all_locations:
            params.setlist("locatie", [location.slug for location in self.locations])
        params["per"] = self.grouping
        params["indeling"] = self.per
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()


def report_locations(user):
    """The locations a person may see reports of: all for staff, coordinated ones otherwise.

    Nobody else may see reports: PermissionDenied (403)."""
    locations = list(locations_for(user, Action.MANAGE_LOCATION).order_by("name"))
    if not locations:
        raise PermissionDenied
    return locations


def parse_filters(params, user, *, today=None) -> Filters:
    """The filters from a query string, limited to what this person may see.

    A location slug the person may not see is a 404, whatever else is asked: never the data.
    Bad dates fall back to the preset; a missing choice to the default.
    """
    today = today or timezone.localdate()
    allowed = report_locations(user)
    by_slug = {location.slug: location for location in allowed}
    asked = [slug for slug in params.getlist("locatie") if slug]
    if any(slug not in by_slug for slug in asked):
        raise Http404
    chosen = [location for location in allowed if location.slug in asked] or allowed
    preset = params.get("periode") or "deze-maand"
    if preset not in PRESETS:
        preset = "deze-maand"
    start = end = None
    notice = ""
    if preset == "anders":
        start, end = parse_date(params.get("van")), parse_date(params.get("tot"))
        outside = [day for day in (start, end) if day is not None and not in_range(day, today)]
        if outside:
            notice = "{} {}".format(
                range_message(outside[0], earliest_date(today), latest_date(today)),
                _("Je ziet nu de cijfers van deze maand."),
            )
        if outside or start is None or end is None or end < start or end - start > LONGEST_PERIOD:
            preset, start, end = "deze-maand", None, None
    if start is None:
        start, end = preset_range(preset, today)
    grouping = params.get("per")
    if grouping not in GROUPINGS:
        grouping = default_grouping(start, end)
    per = params.get("indeling") if params.get("indeling") in PER else "locatie"
    return Filters(
        start=start,
        end=end,
        locations=chosen,
        grouping=grouping,
        per=per,
        preset=preset,
        external=params.get("extern") in ("1", "on", "ja"),
        all_locations=not asked or len(chosen) == len(allowed),
        allowed=allowed,
        notice=notice,
    )


# Opened day-parts (Python over the few rows of opening hours and closures) ----------------


def _minutes(opens_at, closes_at):
    return (closes_at.hour * 60 + closes_at.minute) - (opens_at.hour * 60 + opens_at.minute)


def opened_day_parts(location_ids, start, end, hours=None):
    """[(location id, date, day part, minutes open)] of every opened day-part from start to end
    (inclusive), from the opening hours minus the closed dates (Closure.objects.closed_dates,
    the roster's and the programme's rule too). Two queries when hours are not given."""
    if hours is None:
        hours = list(
            OpeningHours.objects.filter(location_id__in=location_ids)
            .order_by()
            .values_list("location_id", "weekday", "day_part", "opens_at", "closes_at")
        )
    closed = Closure.objects.order_by().closed_dates(location_ids, start, end)
    per_weekday = defaultdict(list)
    for location_id, weekday, day_part, opens_at, closes_at in hours:
        per_weekday[weekday].append((location_id, day_part, _minutes(opens_at, closes_at)))
    opened = []
    day = start
    one = datetime.timedelta(days=1)
    while day <= end:
        for location_id, day_part, minutes in per_weekday.get(day.isoweekday(), ()):
            if (location_id, day) not in closed:
                opened.append((location_id, day, day_part, minutes))
        day += one
    return opened


# The figures -----------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    kind: str = "count"  # count (hidden under 5 for outside use), number, percent, text


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list  # lists of values, first the row's label
    note: str = ""

    def masked(self):
        """The rows for use outside AanZet: counts from 1 to 4 shown as "<5"."""
        return [
            [
                mask(value) if column.kind == "count" else value
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def mask(value):
    if isinstance(value, int) and 0 < value < SMALL:
        return f"<{SMALL}"
    return value


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
class Unit:
    """A column of the report: one location, or one municipality with its locations."""

    key: str
    label: str
    location_ids: list


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
    slots: list = field(default_factory=list)  # [(weekday, day part, opened, visits, average)]
    stories: list = field(default_factory=list)
    has_activities: bool = False
    has_roster: bool = False

    def table(self, key):
        return next((table for table in self.tables if table.key == key), None)


def bucket_start(day: datetime.date, grouping: str) -> datetime.date:
    if grouping == "week":
        return monday_of(day)
    if grouping == "maand":
        return day.replace(day=1)
    return day


def bucket_label(day: datetime.date, grouping: str) -> str:
    if grouping == "week":
        year, week, _weekday = day.isocalendar()
        return _("week %(week)s van %(year)s") % {"week": week, "year": year}
    if grouping == "maand":
        return date_format(day, "F Y")
    return date_format(day, "D j b Y")


def bucket_short_label(day: datetime.date, grouping: str) -> str:
    """Under a chart's bars: "jan", "w45", "3 nov"."""
    if grouping == "week":
        return f"w{day.isocalendar()[1]}"
    if grouping == "maand":
        return date_format(day, "b")
    return date_format(day, "j b")


def _buckets(filters):
    keys, day = [], bucket_start(filters.start, filters.grouping)
    while day <= filters.end:
        keys.append(day)
        if filters.grouping == "dag":
            day += datetime.timedelta(days=1)
        elif filters.grouping == "week":
            day += datetime.timedelta(days=7)
        else:
            day = month_end(day) + datetime.timedelta(days=1)
    return [(key, bucket_label(key, filters.grouping)) for key in keys]


def _units(filters):
    if filters.per == "gemeente":
        grouped = defaultdict(list)
        for location in filters.locations:
            grouped[location.municipality].append(location.pk)
        return [Unit(name, name, ids) for name, ids in sorted(grouped.items())]
    return [Unit(location.slug, location.name, [location.pk]) for location in filters.locations]


def build_report(filters: Filters, *, with_stories=True) -> Report:
    """All the figures of the report, in a fixed number of queries (9 to 12; see the tests)."""
    units = _units(filters)
    report = Report(filters=filters, units=units)
    ids = [location.pk for location in filters.locations]
    unit_of = {pk: unit.key for unit in units for pk in unit.location_ids}
    counted = Visit.objects.counted().filter(location_id__in=ids).order_by()
    in_period = counted.filter(recorded_on__range=(filters.start, filters.end))
    first = Q(first_visit=FirstVisit.YES)

    # 1. Per location, day and day-part: visits and first visits. One row per day-part that
    # had visitors (about 800 a year for four locations), never per visit; the buckets (day,
    # ISO week, month) and the weekdays are taken from the local date of each row in Python,
    # which on SQLite is several times faster than its Python date functions per visit.
    rows = in_period.values_list("location_id", "recorded_on", "day_part").annotate(
        n=Count("id"), first=Count("id", filter=first)
    )
    report.buckets = _buckets(filters)
    position = {key: index for index, (key, _label) in enumerate(report.buckets)}
    timeline = {unit.key: [0] * len(report.buckets) for unit in units}
    visits = defaultdict(int)
    firsts = defaultdict(int)
    heat = defaultdict(int)
    per_day = {}
    grouping = filters.grouping
    for location_id, day, day_part, n, n_first in rows:
        unit = unit_of[location_id]
        timeline[unit][position[bucket_start(day, grouping)]] += n
        visits[unit] += n
        firsts[unit] += n_first
        weekday = day.isoweekday()
        heat[(weekday, day_part)] += n
        per_day[(location_id, day, day_part)] = n
    report.timeline = timeline
    report.heat = dict(heat)

    # 2. The previous period and the same period a year earlier, per location.
    previous, before = filters.previous, filters.year_before
    rows = (
        counted.filter(Q(recorded_on__range=previous) | Q(recorded_on__range=before))
        .values("location_id")
        .annotate(
            previous=Count("id", filter=Q(recorded_on__range=previous)),
            before=Count("id", filter=Q(recorded_on__range=before)),
        )
    )
    previous_visits, before_visits = defaultdict(int), defaultdict(int)
    for row in rows:
        previous_visits[unit_of[row["location_id"]]] += row["previous"]
        before_visits[unit_of[row["location_id"]]] += row["before"]

    # 3. First visits by how they came.
    came_via = list(
        in_period.filter(first)
        .values("came_via__name")
        .annotate(n=Count("id"))
        .order_by("-n", "came_via__name")
    )
    # 4. Referrals onward.
    referrals = list(
        Referral.objects.counted()
        .filter(location_id__in=ids, date__range=(filters.start, filters.end))
        .order_by()
        .values("target__name")
        .annotate(n=Count("id"))
        .order_by("-n", "target__name")
    )
    # 5 and 6. Opening hours and closures: the opened day-parts.
    opened = opened_day_parts(ids, filters.start, filters.end)
    opened_count, minutes_open = defaultdict(int), defaultdict(int)
    # Visits per opened day-part count only the visits of the day-parts that were open (a
    # tally for a closed day still counts in the totals, not here).
    slot_opened, slot_visits = defaultdict(int), defaultdict(int)
    visits_on_opened = defaultdict(int)
    for location_id, day, day_part, minutes in opened:
        unit = unit_of[location_id]
        n = per_day.get((location_id, day, day_part), 0)
        opened_count[unit] += 1
        minutes_open[unit] += minutes
        visits_on_opened[unit] += n
        slot_opened[(location_id, day.isoweekday(), day_part)] += 1
        slot_visits[(location_id, day.isoweekday(), day_part)] += n

    # 7. Activities: visits that named an occurrence on the tablet.
    activity_rows = list(
        in_period.filter(occurrence__isnull=False)
        .values(ACTIVITY_CATEGORY, ACTIVITY_TITLE)
        .annotate(n=Count("id"))
        .order_by(ACTIVITY_CATEGORY, ACTIVITY_TITLE)
    )
    report.has_activities = True

    # 8. Volunteer hours from attended shifts.
    hours_volunteered = defaultdict(float)
    rows = (
        Assignment.objects.active()
        .filter(
            attendance="attended",
            shift__location_id__in=ids,
            shift__date__range=(filters.start, filters.end),
        )
        .order_by()
        .values("shift__location_id", "shift__starts_at", "shift__ends_at")
        .annotate(n=Count("id"))
    )
    for row in rows:
        minutes = _minutes(row["shift__starts_at"], row["shift__ends_at"])
        hours_volunteered[unit_of[row["shift__location_id"]]] += minutes * row["n"] / 60
    report.has_roster = True

    # 9. Stories of the period.
    if with_stories:
        report.stories = list(
            Story.objects.filter(location_id__in=ids, date__range=(filters.start, filters.end))
            .select_related("location")
            .order_by("location__name", "date", "pk")
        )

    # The figures per unit and in total.
    def figures(keys):
        total = sum(visits[k] for k in keys)
        first_total = sum(firsts[k] for k in keys)
        opened_n = sum(opened_count[k] for k in keys)
        hours = sum(minutes_open[k] for k in keys) / 60
        prev = sum(previous_visits[k] for k in keys)
        year = sum(before_visits[k] for k in keys)
        result = {
            "visits": total,
            "first_visits": first_total,
            "first_share": share(first_total, total),
            "opened": opened_n,
            "per_opened": ratio(sum(visits_on_opened[k] for k in keys), opened_n),
            "hours_open": round(hours, 1),
            "per_hour": ratio(total, hours),
            "previous": prev,
            "previous_change": change(total, prev),
            "year_before": year,
            "year_before_change": change(total, year),
        }
        if report.has_roster:
            result["volunteer_hours"] = round(sum(hours_volunteered[k] for k in keys), 1)
        return result

    report.per_unit = {unit.key: figures([unit.key]) for unit in units}
    report.totals = figures([unit.key for unit in units])

    # Busiest and quietest weekday × day-part slots: average visits per time it was open.
    slots = defaultdict(lambda: [0, 0])
    for (location_id, weekday, day_part), n in slot_opened.items():
        slots[(weekday, day_part)][0] += n
        slots[(weekday, day_part)][1] += slot_visits.get((location_id, weekday, day_part), 0)
    order = {part.value: index for index, part in enumerate(DayPart)}
    report.slots = sorted(
        (
            (weekday, day_part, n_opened, n_visits, ratio(n_visits, n_opened))
            for (weekday, day_part), (n_opened, n_visits) in slots.items()
        ),
        key=lambda slot: (-(slot[4] or 0), slot[0], order[slot[1]]),
    )
    report.tables = _tables(report, came_via, referrals, activity_rows)
    return report


def _tables(report, came_via, referrals, activity_rows):
    filters, units, totals = report.filters, report.units, report.totals
    unit_word = _("Gemeente") if filters.per == "gemeente" else _("Locatie")
    tables = []
    summary_rows = [
        [_("Bezoeken"), totals["visits"]],
        [_("Eerste bezoeken"), totals["first_visits"]],
        [_("Aandeel eerste bezoeken (%)"), totals["first_share"]],
        [_("Geopende dagdelen"), totals["opened"]],
        [_("Bezoeken per geopend dagdeel"), totals["per_opened"]],
        [_("Uren open"), totals["hours_open"]],
        [_("Bezoeken per uur open"), totals["per_hour"]],
        [_("Vorige periode: bezoeken"), totals["previous"]],
        [_("Verandering t.o.v. vorige periode (%)"), totals["previous_change"]],
        [_("Zelfde periode vorig jaar: bezoeken"), totals["year_before"]],
        [_("Verandering t.o.v. vorig jaar (%)"), totals["year_before_change"]],
    ]
    if report.has_roster:
        summary_rows.append(
            [_("Uren vrijwilligers (aanwezig bij dienst)"), totals["volunteer_hours"]]
        )
    summary_kinds = {
        _("Aandeel eerste bezoeken (%)"): "percent",
        _("Bezoeken per geopend dagdeel"): "number",
        _("Uren open"): "number",
        _("Bezoeken per uur open"): "number",
        _("Verandering t.o.v. vorige periode (%)"): "percent",
        _("Verandering t.o.v. vorig jaar (%)"): "percent",
        _("Uren vrijwilligers (aanwezig bij dienst)"): "number",
        _("Geopende dagdelen"): "number",
    }
    # In the summary the kind differs per row: mask per row through a one-column table each.
    summary = Table(
        "samenvatting",
        _("Samenvatting"),
        [Column(_("Cijfer"), "text"), Column(_("Waarde"), "count")],
        summary_rows,
    )
    summary.row_kinds = [summary_kinds.get(row[0], "count") for row in summary_rows]
    tables.append(summary)

    columns = [
        Column(unit_word, "text"),
        Column(_("Bezoeken")),
        Column(_("Eerste bezoeken")),
        Column(_("Aandeel eerste (%)"), "percent"),
        Column(_("Geopende dagdelen"), "number"),
        Column(_("Per geopend dagdeel"), "number"),
        Column(_("Uren open"), "number"),
        Column(_("Per uur open"), "number"),
        Column(_("Vorige periode")),
        Column(_("Verandering (%)"), "percent"),
        Column(_("Vorig jaar")),
        Column(_("Verandering (%)"), "percent"),
    ]
    keys = [
        "visits", "first_visits", "first_share", "opened", "per_opened", "hours_open",
        "per_hour", "previous", "previous_change", "year_before", "year_before_change",
    ]  # fmt: skip
    if report.has_roster:
        columns.append(Column(_("Uren vrijwilligers"), "number"))
        keys.append("volunteer_hours")
    rows = [[unit.label, *(report.per_unit[unit.key][k] for k in keys)] for unit in units]
    rows.append([_("Totaal"), *(totals[k] for k in keys)])
    tables.append(
        Table(
            "per-eenheid",
            _("Per gemeente") if filters.per == "gemeente" else _("Per locatie"),
            columns,
            rows,
        )
    )

    columns = [
        Column(_("Periode"), "text"),
        *(Column(unit.label) for unit in units),
        Column(_("Totaal")),
    ]
    rows = []
    for index, (_key, label) in enumerate(report.buckets):
        values = [report.timeline[unit.key][index] for unit in units]
        rows.append([label, *values, sum(values)])
    tables.append(
        Table(
            "verloop",
            _("Bezoeken %(grouping)s") % {"grouping": GROUPINGS[filters.grouping]},
            columns,
            rows,
        )
    )

    parts = list(DayPart)
    columns = [
        Column(_("Weekdag"), "text"),
        *(Column(str(part.label).capitalize()) for part in parts),
        Column(_("Totaal")),
    ]
    rows = []
    for weekday in Weekday:
        values = [report.heat.get((weekday.value, part.value), 0) for part in parts]
        rows.append([str(weekday.label).capitalize(), *values, sum(values)])
    tables.append(Table("weekdag-dagdeel", _("Bezoeken per weekdag en dagdeel"), columns, rows))

    columns = [
        Column(_("Dagdeel"), "text"),
        Column(_("Keren open"), "number"),
        Column(_("Bezoeken")),
        Column(_("Gemiddeld per keer"), "number"),
    ]
    rows = [
        [
            f"{Weekday(weekday).label} {DayPart(day_part).label}".capitalize(),
            n_opened,
            n_visits,
            average,
        ]
        for weekday, day_part, n_opened, n_visits, average in report.slots
    ]
    tables.append(
        Table(
            "drukte",
            _("Drukste en rustigste dagdelen"),
            columns,
            rows,
            note=_(
                "Van druk naar rustig: gemiddeld aantal bezoeken per keer dat het dagdeel open was."
            ),
        )
    )

    rows = [[row["came_via__name"] or _("niet ingevuld"), row["n"]] for row in came_via]
    tables.append(
        Table(
            "hoe-binnengekomen",
            _("Eerste bezoeken: hoe binnengekomen"),
            [Column(_("Hoe"), "text"), Column(_("Eerste bezoeken"))],
            rows,
        )
    )
    rows = [[row["target__name"], row["n"]] for row in referrals]
    tables.append(
        Table(
            "doorverwijzingen",
            _("Doorverwezen naar"),
            [Column(_("Naar"), "text"), Column(_("Doorverwijzingen"))],
            rows,
        )
    )
    if report.has_activities:
        per_category = defaultdict(int)
        for row in activity_rows:
            per_category[row[ACTIVITY_CATEGORY]] += row["n"]
        rows = [
            [str(name), n]
            for name, n in sorted(per_category.items(), key=lambda item: str(item[0]))
        ]
        tables.append(
            Table(
                "per-categorie",
                _("Bezoeken per soort activiteit"),
                [Column(_("Soort"), "text"), Column(_("Bezoeken"))],
                rows,
            )
        )
        per_title = defaultdict(int)
        for row in activity_rows:
            per_title[row[ACTIVITY_TITLE]] += row["n"]
        rows = [
            [str(name), n] for name, n in sorted(per_title.items(), key=lambda item: str(item[0]))
        ]
        tables.append(
            Table(
                "per-activiteit",
                _("Bezoeken per activiteit"),
                [Column(_("Activiteit"), "text"), Column(_("Bezoeken"))],
                rows,
            )
        )
    return tables


def table_rows(table, *, external=False):
    """The rows as they are shown and exported: masked for outside use when asked."""
    if not external:
        return table.rows
    kinds = getattr(table, "row_kinds", None)
    if kinds:  # the summary: one kind per row
        return [
            [row[0], mask(row[1]) if kind == "count" else row[1]]
            for row, kind in zip(table.rows, kinds, strict=True)
        ]
    return table.masked()

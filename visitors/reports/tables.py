"""The tables of a report, declared once: the page, the CSV, the XLSX and the year overview
are all built from them.

A `Column` says what a value is (`kind`): a count, a number (a ratio, hours), a percentage or
text. Counts are what could point to a person, so for use outside AanZet a count from 1 to 4 is
shown as "<5": `mask` is the one place that does it, `shown_rows` the one place that decides
which cells it applies to.

The figures of a unit (a location or a municipality) are declared once too, in `FIGURES`: the
summary has a row for each, the table per unit a column. For a whole calendar year the period
before *is* the year before, so the comparison with the period before is left out.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from locations.models import DayPart, Weekday

from .filters import Grouping, Per

COUNT, NUMBER, PERCENT, TEXT = "count", "number", "percent", "text"
SMALL = 5  # "voor extern gebruik": counts from 1 to SMALL - 1 are shown as "<5"


def mask(value):
    """A count for use outside AanZet: 1 to 4 become "<5" (0 stays 0: nobody to recognise)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALL:
        return f"<{SMALL}"
    return value


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = COUNT
    key: str = ""

    @property
    def masked(self) -> bool:
        return self.kind == COUNT


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list  # lists of values, first the row's label
    note: str = ""
    row_kinds: list = field(default_factory=list)  # the summary: the kind of each row's value

    def kinds(self, index):
        if self.row_kinds:
            return [TEXT, self.row_kinds[index]]
        return [column.kind for column in self.columns]


def shown_rows(table, *, external=False):
    """The rows as they are shown and exported: counts masked for outside use when asked."""
    if not external:
        return table.rows
    return [
        [
            mask(value) if kind == COUNT else value
            for value, kind in zip(row, table.kinds(i), strict=True)
        ]
        for i, row in enumerate(table.rows)
    ]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # a row of the summary
    heading: str  # a column of the table per unit
    kind: str = COUNT
    about_previous: bool = False  # the comparison with the period just before


FIGURES = [
    Figure("visits", gettext_lazy("Bezoeken"), gettext_lazy("Bezoeken")),
    Figure("first_visits", gettext_lazy("Eerste bezoeken"), gettext_lazy("Eerste bezoeken")),
    Figure(
        "first_share",
        gettext_lazy("Aandeel eerste bezoeken (%)"),
        gettext_lazy("Aandeel eerste (%)"),
        PERCENT,
    ),
    Figure("opened", gettext_lazy("Geopende dagdelen"), gettext_lazy("Geopende dagdelen"), NUMBER),
    Figure(
        "per_opened",
        gettext_lazy("Bezoeken per geopend dagdeel"),
        gettext_lazy("Per geopend dagdeel"),
        NUMBER,
    ),
    Figure("hours_open", gettext_lazy("Uren open"), gettext_lazy("Uren open"), NUMBER),
    Figure("per_hour", gettext_lazy("Bezoeken per uur open"), gettext_lazy("Per uur open"), NUMBER),
    Figure(
        "previous",
        gettext_lazy("Vorige periode: bezoeken"),
        gettext_lazy("Vorige periode"),
        COUNT,
        True,
    ),
    Figure(
        "previous_change",
        gettext_lazy("Verandering t.o.v. vorige periode (%)"),
        gettext_lazy("Verandering (%)"),
        PERCENT,
        True,
    ),
    Figure(
        "year_before",
        gettext_lazy("Zelfde periode vorig jaar: bezoeken"),
        gettext_lazy("Vorig jaar"),
    ),
    Figure(
        "year_before_change",
        gettext_lazy("Verandering t.o.v. vorig jaar (%)"),
        gettext_lazy("Verandering (%)"),
        PERCENT,
    ),
    Figure(
        "volunteer_hours",
        gettext_lazy("Uren vrijwilligers (aanwezig bij dienst)"),
        gettext_lazy("Uren vrijwilligers"),
        NUMBER,
    ),
]


def figures_of(filters):
    """The figures shown for these filters: for a whole year no "period before"."""
    return [f for f in FIGURES if not (f.about_previous and filters.whole_year)]


# The tables, in the order of the page ------------------------------------------------------------


def summary(report):
    shown = figures_of(report.filters)
    return Table(
        "samenvatting",
        _("Samenvatting"),
        [Column(_("Cijfer"), TEXT), Column(_("Waarde"))],
        [[str(f.label), report.totals[f.key]] for f in shown],
        row_kinds=[f.kind for f in shown],
    )


def per_unit(report):
    municipality = report.filters.per == Per.MUNICIPALITY
    shown = figures_of(report.filters)
    columns = [Column(_("Gemeente") if municipality else _("Locatie"), TEXT)]
    columns += [Column(str(f.heading), f.kind, f.key) for f in shown]
    rows = [
        [unit.label, *(report.per_unit[unit.key][f.key] for f in shown)] for unit in report.units
    ]
    rows.append([_("Totaal"), *(report.totals[f.key] for f in shown)])
    title = _("Per gemeente") if municipality else _("Per locatie")
    return Table("per-eenheid", title, columns, rows)


def timeline(report):
    columns = [Column(_("Periode"), TEXT), *(Column(u.label, key=u.key) for u in report.units)]
    columns.append(Column(_("Totaal")))
    rows = []
    for index, (_key, label) in enumerate(report.buckets):
        values = [report.timeline[unit.key][index] for unit in report.units]
        rows.append([label, *values, sum(values)])
    grouping = Grouping(report.filters.grouping).label
    return Table("verloop", _("Bezoeken %(grouping)s") % {"grouping": grouping}, columns, rows)


def weekday_day_part(report):
    parts = list(DayPart)
    columns = [Column(_("Weekdag"), TEXT), *(Column(str(p.label).capitalize()) for p in parts)]
    columns.append(Column(_("Totaal")))
    rows = []
    for weekday in Weekday:
        values = [report.heat.get((weekday.value, part.value), 0) for part in parts]
        rows.append([str(weekday.label).capitalize(), *values, sum(values)])
    return Table("weekdag-dagdeel", _("Bezoeken per weekdag en dagdeel"), columns, rows)


def busiest(report):
    columns = [
        Column(_("Dagdeel"), TEXT),
        Column(_("Keren open"), NUMBER),
        Column(_("Bezoeken")),
        Column(_("Gemiddeld per keer"), NUMBER),
    ]
    rows = [
        [f"{Weekday(s.weekday).label} {DayPart(s.day_part).label}".capitalize(), *s[2:]]
        for s in report.slots
    ]
    note = _("Van druk naar rustig: gemiddeld aantal bezoeken per keer dat het dagdeel open was.")
    return Table("drukte", _("Drukste en rustigste dagdelen"), columns, rows, note=note)


def came_via(report):
    columns = [Column(_("Hoe"), TEXT), Column(_("Eerste bezoeken"))]
    rows = [list(row) for row in report.came_via]
    return Table("hoe-binnengekomen", _("Eerste bezoeken: hoe binnengekomen"), columns, rows)


def referrals(report):
    columns = [Column(_("Naar"), TEXT), Column(_("Doorverwijzingen"))]
    return Table(
        "doorverwijzingen", _("Doorverwezen naar"), columns, [list(r) for r in report.referrals]
    )


def _summed(pairs):
    counts = Counter()
    for name, n in pairs:
        counts[str(name)] += n
    return [[name, n] for name, n in sorted(counts.items())]


def per_category(report):
    columns = [Column(_("Soort"), TEXT), Column(_("Bezoeken"))]
    rows = _summed((row.category, row.n) for row in report.activities)
    return Table("per-categorie", _("Bezoeken per soort activiteit"), columns, rows)


def per_activity(report):
    columns = [Column(_("Activiteit"), TEXT), Column(_("Bezoeken"))]
    rows = _summed((row.title, row.n) for row in report.activities)
    return Table("per-activiteit", _("Bezoeken per activiteit"), columns, rows)


TABLES = [
    summary,
    per_unit,
    timeline,
    weekday_day_part,
    busiest,
    came_via,
    referrals,
    per_category,
    per_activity,
]


def report_tables(report) -> list[Table]:
    return [make(report) for make in TABLES]

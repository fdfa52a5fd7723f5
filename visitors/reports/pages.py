"""What the report page and the printable year overview show: each table with its chart, and
a page per location for the year. The numbers come from the tables (`shown_rows`), so what is
masked for outside use is masked the same way everywhere."""

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from locations.models import DayPart, Weekday

from .. import charts
from .figures import bucket_short_label
from .filters import Filters, Grouping, Per
from .report import build_report
from .tables import TEXT, Column, figures_of, shown_rows


def _charts(report):
    """{table key: chart} for the tables that have one."""
    units, grouping = report.units, report.filters.grouping
    totals = [sum(report.timeline[u.key][i] for u in units) for i in range(len(report.buckets))]
    parts = list(DayPart)
    heat = [[report.heat.get((day.value, part.value), 0) for part in parts] for day in Weekday]
    municipality = report.filters.per == Per.MUNICIPALITY
    return {
        "verloop": charts.bar_chart(
            _("Bezoeken %(grouping)s") % {"grouping": Grouping(grouping).label},
            [bucket_short_label(key, grouping) for key, _label in report.buckets],
            totals,
        ),
        "per-eenheid": charts.horizontal_bars(
            _("Bezoeken per gemeente") if municipality else _("Bezoeken per locatie"),
            [unit.label for unit in units],
            [report.per_unit[unit.key]["visits"] for unit in units],
        )
        if len(units) <= CHART_UNITS
        else None,
        "weekdag-dagdeel": charts.heat_map(
            _("Bezoeken per weekdag en dagdeel"),
            [str(day.label).capitalize() for day in Weekday],
            [str(part.label).capitalize() for part in parts],
            heat,
        ),
    }


# On the page, a report of more units than this is summarised: the table per unit lists the
# units as rows (not as columns), the table per period shows only the total per period. The
# CSV and XLSX keep every unit in every period. 250 locations × 120 months drawn as a table
# made a page of more than a megabyte.
PAGE_UNITS = 12
CHART_UNITS = 40  # a bar per unit: the 40 municipalities still read, 250 locations do not


def _totals_per_bucket(table, rows):
    """The table per period with its total column only (the many-units page)."""
    return {
        "columns": [table.columns[0], table.columns[-1]],
        "rows": [[row[0], row[-1]] for row in rows],
        "note": _(
            "Hier staat alleen het totaal per periode. De aantallen per locatie of gemeente "
            "per periode staan in de downloads (CSV en Excel)."
        ),
    }


def _figures_by_unit(report):
    """The table per unit turned a quarter: a row per figure, a column per unit. Twelve
    figures side by side do not fit a 1024 px screen; four locations and a total do."""
    columns = [Column(_("Cijfer"), TEXT), *(Column(unit.label) for unit in report.units)]
    columns.append(Column(_("Totaal")))
    rows = [
        [
            str(figure.label),
            *(report.per_unit[unit.key][figure.key] for unit in report.units),
            report.totals[figure.key],
        ]
        for figure in figures_of(report.filters)
    ]
    return {"columns": columns, "rows": rows}


def sections(report):
    """[{"table", "rows", "chart", "view"}] in the order of the page; "view" is what the page
    draws (the same numbers; the table per unit turned a quarter, or for many units the totals
    per period only: PAGE_UNITS)."""
    chart_of = _charts(report)
    result = []
    for table in report.tables:
        rows = shown_rows(table)
        view = {"columns": table.columns, "rows": rows}
        many = len(report.units) > PAGE_UNITS
        if table.key == "per-eenheid" and not many:
            view = _figures_by_unit(report)
        elif table.key == "verloop" and many:
            view = _totals_per_bucket(table, rows)
        result.append(
            {"table": table, "rows": rows, "chart": chart_of.get(table.key), "view": view}
        )
    return result


def _year_page(report, location, index, rows, months, stories, month_labels):
    """One location's page: its figures, its months (table and chart) and its stories."""
    table = report.table("per-eenheid")
    year = report.filters.start.year
    return {
        "location": location,
        "summary": list(zip(table.columns[1:], rows[index][1:], strict=True)),
        "months": list(zip(month_labels, months, strict=True)),
        "stories": stories,
        "chart": charts.bar_chart(
            _("Bezoeken per maand in %(year)s, %(location)s")
            % {"year": year, "location": location.name},
            month_labels,
            report.timeline[report.units[index].key],
            width=560,
            height=220,
        ),
    }


def year_overview(year: int, locations, *, external=False):
    """The report of a calendar year per month for every location, and its stories: (report,
    pages), each page one location's."""
    filters = Filters(
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        locations=locations,
        grouping=Grouping.MONTH,
        per=Per.LOCATION,
        external=external,
    )
    report = build_report(filters)
    totals_rows = shown_rows(report.table("per-eenheid"), external=external)
    month_rows = shown_rows(report.table("verloop"), external=external)
    month_labels = [bucket_short_label(key, Grouping.MONTH) for key, _label in report.buckets]
    stories_of = defaultdict(list)
    for story in report.stories:
        stories_of[story.location_id].append(story)
    pages = []
    for index, location in enumerate(locations):
        months = [row[1 + index] for row in month_rows]
        pages.append(
            _year_page(
                report, location, index, totals_rows, months, stories_of[location.pk], month_labels
            )
        )
    return report, pages

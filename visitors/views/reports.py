"""Attendance reports: the page, its CSV and XLSX, and the printable year overview.

Staff see every location, coordinators the locations they coordinate (also through the export
URLs and whatever query parameters are sent: another location's slug is a 404). Volunteers and
tablets get 403; someone not logged in the login page.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from buurtkamer.models import AuditEvent, log_action
from locations.models import DayPart, Weekday

from .. import charts
from ..report_exports import report_csv, report_xlsx, year_overview
from ..reports import (
    GROUPINGS,
    PER,
    PRESETS,
    bucket_short_label,
    build_report,
    parse_filters,
    table_rows,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _charts(report):
    units = report.units
    timeline_totals = [
        sum(report.timeline[unit.key][index] for unit in units)
        for index in range(len(report.buckets))
    ]
    parts = list(DayPart)
    heat = [[report.heat.get((day.value, part.value), 0) for part in parts] for day in Weekday]
    return {
        "verloop": charts.bar_chart(
            _("Bezoeken %(grouping)s") % {"grouping": GROUPINGS[report.filters.grouping]},
            [bucket_short_label(key, report.filters.grouping) for key, _label in report.buckets],
            timeline_totals,
        ),
        "per-eenheid": charts.horizontal_bars(
            _("Bezoeken per gemeente")
            if report.filters.per == "gemeente"
            else _("Bezoeken per locatie"),
            [unit.label for unit in units],
            [report.per_unit[unit.key]["visits"] for unit in units],
        ),
        "weekdag-dagdeel": charts.heat_map(
            _("Bezoeken per weekdag en dagdeel"),
            [str(day.label).capitalize() for day in Weekday],
            [str(part.label).capitalize() for part in parts],
            heat,
        ),
    }


@require_safe
@login_required
def report(request):
    filters = parse_filters(request.GET, request.user)
    result = build_report(filters)
    chart_of = _charts(result)
    sections = [
        {
            "table": table,
            "rows": table_rows(table, external=False),
            "chart": chart_of.get(table.key),
        }
        for table in result.tables
    ]
    return render(
        request,
        "visitors/reports/report.html",
        {
            "report": result,
            "filters": filters,
            "sections": sections,
            "allowed": filters.allowed,
            "presets": PRESETS,
            "groupings": GROUPINGS,
            "pers": PER,
            "chosen": {location.slug for location in filters.locations},
            "query": filters.query(),
            "year": (timezone.localdate().year - 1),
        },
    )


def _export(request, extension):
    filters = parse_filters(request.GET, request.user)
    result = build_report(filters, with_stories=False)
    if extension == "csv":
        response = HttpResponse(report_csv(result), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(report_xlsx(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filters.filename(extension)}"'
    log_action(
        actor=request.user,
        action=AuditEvent.Action.REPORT_EXPORTED,
        location=filters.locations[0] if len(filters.locations) == 1 else None,
        subject=filters.filename(extension),
        format=extension,
        locations=[location.slug for location in filters.locations],
    )
    return response


@require_safe
@login_required
def report_csv_view(request):
    return _export(request, "csv")


@require_safe
@login_required
def report_xlsx_view(request):
    return _export(request, "xlsx")


@require_safe
@login_required
def year_overview_view(request):
    """A calendar year for the municipality: a page per location and a page of totals (A4
    landscape in print), the stories beside the figures."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("jaar", today.year - 1))
    except ValueError:
        year = today.year - 1
    year = min(max(year, 2000), today.year)
    filters = parse_filters(request.GET, request.user)  # the locations, checked as everywhere
    external = request.GET.get("extern") in ("1", "on", "ja")
    result, pages = year_overview(year, filters.locations, external=external)
    totals_rows = table_rows(result.table("per-eenheid"), external=external)
    for page in pages:
        table = result.table("per-eenheid")
        index = [unit.label for unit in result.units].index(page["location"].name)
        page["row"] = dict(zip([c.label for c in table.columns], totals_rows[index], strict=True))
        page["summary"] = list(zip(table.columns[1:], totals_rows[index][1:], strict=True))
        # The table under the chart uses the chart's labels ("jan", "mrt").
        month_labels = [bucket_short_label(key, "maand") for key, _label in result.buckets]
        page["months"] = [
            (short, value if not external else _masked(value))
            for short, (_label, value) in zip(month_labels, page["months"], strict=True)
        ]
        page["chart"] = charts.bar_chart(
            _("Bezoeken per maand in %(year)s, %(location)s")
            % {"year": year, "location": page["location"].name},
            month_labels,
            result.timeline[result.units[index].key],
            width=560,
            height=220,
        )
    return render(
        request,
        "visitors/reports/year_overview.html",
        {
            "year": year,
            "report": result,
            "pages": pages,
            "totals_table": result.table("per-eenheid"),
            "totals_rows": totals_rows,
            "timeline_table": result.table("verloop"),
            "timeline_rows": table_rows(result.table("verloop"), external=external),
            "external": external,
            "years": range(today.year, today.year - 6, -1),
            "printed_on": datetime.date.today(),
        },
    )


def _masked(value):
    from ..reports import mask

    return mask(value)

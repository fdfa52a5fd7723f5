"""Attendance reports: the page, its CSV and XLSX, and the printable year overview.

Staff see every location, coordinators the locations they coordinate (also through the export
URLs and whatever query parameters are sent: another location's slug is a 404). Volunteers and
tablets get 403; someone not logged in the login page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from buurtkamer.exports import XLSX_CONTENT_TYPE
from buurtkamer.models import AuditEvent, log_action

from ..reports import YearOverviewForm, build_report, filters_from, parse_filters, shown_rows
from ..reports.exports import report_csv, report_xlsx
from ..reports.pages import sections, year_overview


@require_safe
@login_required
def report(request):
    form, filters = filters_from(request.GET, request.user)
    result = build_report(filters)
    return render(
        request,
        "visitors/reports/report.html",
        {
            "report": result,
            "filters": filters,
            "form": form,
            "sections": sections(result),
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
        response = HttpResponse(report_xlsx(result), content_type=XLSX_CONTENT_TYPE)
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
    filters = parse_filters(request.GET, request.user)  # the locations, checked as everywhere
    form = YearOverviewForm(request.GET or None, filters=filters, today=today)
    year = form.year
    external = filters.external
    result, pages = year_overview(year, filters.locations, external=external)
    return render(
        request,
        "visitors/reports/year_overview.html",
        {
            "year": year,
            "report": result,
            "pages": pages,
            "totals_table": result.table("per-eenheid"),
            "totals_rows": shown_rows(result.table("per-eenheid"), external=external),
            "timeline_table": result.table("verloop"),
            "timeline_rows": shown_rows(result.table("verloop"), external=external),
            "external": external,
            "form": form,
            "printed_on": today,
            "locations": filters.locations,  # the loneliness rounds' section asks for them
        },
    )

"""Attendance reports: which period and locations (filters), the figures of them in a fixed
number of queries (figures, report), the tables declared once (tables), the page and the
year overview (pages) and the files (exports).

    filters.py  ReportFilterForm and Filters: the query string, bounded, per person
    figures.py  the queries, each returning typed rows; buckets, units and the sums
    report.py   build_report: the rows put together into a Report
    tables.py   the declared tables and the one masking path for outside use ("<5")
    pages.py    the page's sections (table and chart) and the year overview's pages
    exports.py  CSV and XLSX of the tables
"""

from .figures import bucket_label, bucket_short_label, opened_day_parts
from .filters import Filters, ReportFilterForm, YearOverviewForm, filters_from, parse_filters
from .report import Report, build_report
from .tables import mask, shown_rows

__all__ = [
    "Filters",
    "Report",
    "ReportFilterForm",
    "YearOverviewForm",
    "bucket_label",
    "bucket_short_label",
    "build_report",
    "filters_from",
    "mask",
    "opened_day_parts",
    "parse_filters",
    "shown_rows",
]

"""The report as a file: CSV and XLSX of exactly the tables on the page (`shown_rows`, the same
rows the page shows, masked for outside use when asked). Cells are made safe by
buurtkamer/exports.py."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from buurtkamer.exports import csv_text, read_csv, workbook_bytes, xlsx_row

from .tables import shown_rows


def _header_lines(report):
    filters = report.filters
    lines = [
        [_("Rapportage bezoekers Buurtkamer")],
        [_("Periode"), filters.start.isoformat(), filters.end.isoformat()],
        [_("Locaties"), ", ".join(location.name for location in filters.locations)],
    ]
    if filters.external:
        lines.append([_("Voor extern gebruik: aantallen onder 5 zijn weergegeven als <5.")])
    return lines


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")  # Dutch spreadsheets read a decimal comma
    return value


def report_csv(report) -> str:
    """One CSV with the tables one under the other, each with its title and column headings:
    `;`-separated with a UTF-8 BOM for Dutch Excel, every text cell made safe."""
    rows = list(_header_lines(report))
    for table in report.tables:
        rows += [[], [table.title], [column.heading for column in table.columns]]
        for row in shown_rows(table, external=report.filters.external):
            rows.append([_csv_value(value) for value in row])
    return csv_text(rows)


def _sheet_title(title, used):
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    clean = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31]
    candidate, number = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {number}"
        number += 1
    used.add(candidate.lower())
    return candidate


def _table_sheet(workbook, table, rows, used):
    sheet = workbook.create_sheet(_sheet_title(table.title, used))
    xlsx_row(sheet, [table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx_row(sheet, [column.heading for column in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_row(sheet, row)
    for index, column in enumerate(table.columns):
        width = max([len(str(column.heading)), 8, *(len(str(row[index])) for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, 45)


def report_xlsx(report) -> bytes:
    """A workbook: a sheet "Over" with the filters, then a sheet per table."""
    workbook = Workbook()
    about = workbook.active
    about.title = _("Over")
    for line in _header_lines(report):
        xlsx_row(about, line)
    about.column_dimensions["A"].width = 20
    used = set()
    for table in report.tables:
        _table_sheet(workbook, table, shown_rows(table, external=report.filters.external), used)
    return workbook_bytes(workbook)


def read_back_csv(content: str) -> dict:
    """{table title: [row, ...]} of a CSV made by report_csv (the tests read files back)."""
    tables, current, skip_header = {}, None, False
    lines = read_csv(content)
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line:
            current = lines[index + 1][0]
            tables[current] = []
            skip_header = True
            index += 2
            continue
        if current is not None:
            if skip_header:
                skip_header = False
            else:
                tables[current].append(line)
        index += 1
    return tables

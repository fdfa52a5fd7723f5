"""The figures of a round as a CSV or an Excel file (the same rows as the page)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from buurtkamer.exports import csv_text, workbook_bytes, xlsx_row

from . import services
from .scoring import CITATION


def export_rows(result) -> list[list]:
    """The figures of a round as rows: what it is, the round, the n < 10 rule, the citation,
    then the table (the cells already hidden by services.protect)."""
    round_ = result.round
    rows = [
        [_("Eenzaamheid (De Jong Gierveld), groepscijfers")],
        [_("Ronde"), round_.name, services.round_period(round_, with_year=True)],
        [
            _("Vorige ronde"),
            result.previous.name if result.previous else _("geen"),
        ],
        [
            _("Een groep met minder dan %(n)s antwoorden: te weinig antwoorden.")
            % {"n": services.MIN_GROUP}
        ],
        [CITATION],
        [],
        result.columns(),
    ]
    return rows + result.rows


def figures_csv(result) -> str:
    # Dutch spreadsheets read a decimal comma; as many decimals as on the page.
    return csv_text(
        [str(v).replace(".", ",") if isinstance(v, float) else v for v in row]
        for row in export_rows(result)
    )


def figures_xlsx(result) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Eenzaamheid"
    for row in export_rows(result):
        xlsx_row(sheet, row)
    sheet["A1"].font = Font(bold=True)
    return workbook_bytes(workbook)

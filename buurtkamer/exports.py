"""Files for spreadsheets: the one place where exported cells are made safe and CSVs are made
to open well in Dutch Excel.

- `safe_text`: text that a spreadsheet would read as a formula (starting with = + - @, a tab
  or a carriage return) gets a leading apostrophe, so `=HYPERLINK(...)` stays text; a plain
  number like -40,0 stays as it is.
- `csv_text`: rows as CSV with `;` between the columns and a UTF-8 byte-order mark, so Dutch
  Excel splits the columns and shows "Fryslân" as it is.
- `xlsx_row`: appends a row to an openpyxl sheet with every text cell stored as text
  (data_type "s"), never as a formula.
"""

import csv
import io
import re

from openpyxl.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_DELIMITER = ";"


# A plain (Dutch) number such as -40,0 or +3 is no formula: it is left as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def safe_text(value) -> str:
    """A text cell a spreadsheet shows as text: a leading apostrophe before a formula start."""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value):
    """Numbers stay numbers, None becomes empty, everything else becomes safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return safe_text(value)
    if isinstance(value, (int, float)):
        return value
    return safe_text(value)


def csv_text(rows) -> str:
    """The rows as a `;`-separated CSV with a UTF-8 BOM; every text cell made safe."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=CSV_DELIMITER)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def read_csv(content: str) -> list[list[str]]:
    """The rows of a CSV made by csv_text (for the tests and anyone reading files back)."""
    return list(csv.reader(io.StringIO(content.removeprefix(BOM)), delimiter=CSV_DELIMITER))


def xlsx_row(sheet, values) -> None:
    """Append a row to an openpyxl sheet; text cells are stored as text (data_type "s"),
    made safe like the CSV, so no cell is ever a formula."""
    cells = []
    for value in values:
        value = safe_cell(value)
        cell = Cell(sheet, value=None if value == "" else value)
        if isinstance(value, str) and value:
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(workbook) -> bytes:
    """An openpyxl workbook as the bytes of an .xlsx file."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

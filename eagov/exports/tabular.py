"""CSV and XLSX writers for a table: a header row of column titles, then one row per record.

- CSV is UTF-8 with a byte-order mark (Excel on Windows then reads non-ASCII text
  correctly), comma-separated, CRLF line ends, dates as ISO 8601.
- XLSX has a bold, frozen header row, column widths, and dates and times as real Excel
  dates (so they sort and filter as dates).

Text that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is written as text: in CSV with a leading apostrophe (the
OWASP advice against formula injection), in XLSX as a string cell.
openpyxl is imported inside ``to_xlsx``: nothing heavy at start-up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_SHEET_TITLE = 31  # Excel's limit
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    """One column: its header, its width in characters (XLSX) and how values are written."""

    title: str
    width: int = 16
    kind: Literal["text", "date", "datetime", "number"] = "text"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value)) if not isinstance(value, str) else value


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as CSV bytes: UTF-8 with BOM, header first."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(str(value))
            else:
                out.append(_defused(_text(value)))
        writer.writerow(out)
    return buf.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    # Columns kept in view when scrolling right (row labels such as a person's name).
    frozen_columns: int = 0


def to_xlsx(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Export"
) -> bytes:
    """The table as an .xlsx workbook with one sheet."""
    return to_xlsx_sheets([Sheet(sheet_title, columns, rows)])


def to_xlsx_sheets(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, a sheet per table, in order."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    assert first is not None
    for index, sheet in enumerate(sheets):
        ws = first if index == 0 else wb.create_sheet()
        title = sheet.title.translate(_SHEET_FORBIDDEN).strip() or "Export"
        ws.title = title[:_MAX_SHEET_TITLE]
        _fill(ws, sheet)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _fill(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = sheet.columns
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.title)
        cell.font = bold
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for r, row in enumerate(sheet.rows, start=2):
        for index, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = ws.cell(row=r, column=index)
            if value is None or value == "":
                continue
            if column.kind == "date" and isinstance(value, date):
                cell.value = value.date() if isinstance(value, datetime) else value
                cell.number_format = "yyyy-mm-dd"
            elif column.kind == "datetime" and isinstance(value, datetime):
                # Excel has no time zones: write the (UTC) time without its offset.
                cell.value = value.replace(tzinfo=None)
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = _text(value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions

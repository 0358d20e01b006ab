"""CSV and XLSX writers: header, BOM, real dates, bold frozen header, widths, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from eagov.exports import Column, to_csv, to_xlsx

COLUMNS = [
    Column("Title", 30),
    Column("Due", 12, "date"),
    Column("Accepted", 18, "datetime"),
    Column("Count", 8, "number"),
]
ROWS = [
    ["Architecture Vision", date(2026, 3, 5), datetime(2026, 3, 6, 9, 30, tzinfo=UTC), 3],
    ["架构愿景 — 中文", date(2026, 12, 31), None, 0],
    ['=HYPERLINK("http://evil")', date(2027, 1, 1), None, -2],
]


def test_csv_is_utf8_with_bom_and_iso_dates():
    data = to_csv(COLUMNS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Title", "Due", "Accepted", "Count"]
    assert rows[1] == ["Architecture Vision", "2026-03-05", "2026-03-06 09:30:00+00:00", "3"]
    assert rows[2] == ["架构愿景 — 中文", "2026-12-31", "", "0"]
    # Formula injection: text that starts like a formula is written as text.
    assert rows[3][0] == '\'=HYPERLINK("http://evil")'
    assert rows[3][3] == "-2"  # numbers stay numbers
    assert b"\r\n" in data


def test_xlsx_header_bold_frozen_widths_and_real_dates():
    wb = load_workbook(io.BytesIO(to_xlsx(COLUMNS, ROWS, sheet_title="Deliverables: all/[x]")))
    ws = wb.active
    assert ws.title == "Deliverables  all  x"  # characters Excel refuses are replaced
    assert [c.value for c in ws[1]] == ["Title", "Due", "Accepted", "Count"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["B"].width == 12
    due = ws["B2"]
    assert due.is_date and due.value.date() == date(2026, 3, 5)
    assert ws["C2"].is_date and ws["C2"].value == datetime(2026, 3, 6, 9, 30)
    assert ws["D2"].value == 3 and ws["D4"].value == -2
    assert ws["A3"].value == "架构愿景 — 中文"
    assert ws["C3"].value is None
    # A formula-looking text is a string cell, never a formula.
    assert ws["A4"].data_type == "s" and ws["A4"].value == '=HYPERLINK("http://evil")'


def test_empty_table_has_only_the_header():
    assert to_csv(COLUMNS, []).decode("utf-8-sig") == "Title,Due,Accepted,Count\r\n"
    ws = load_workbook(io.BytesIO(to_xlsx(COLUMNS, []))).active
    assert ws.max_row == 1 and ws.title == "Export"

"""Lists downloaded as CSV or Excel, named after the list and the day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from typing import Any

from flask import send_file
from werkzeug.wrappers import Response

from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE, Column, to_csv, to_xlsx


def table_download(
    fmt: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str,
    stem: str,
) -> Response:
    if fmt == "csv":
        body, mimetype = to_csv(columns, rows), CSV_MIMETYPE
    else:
        body, mimetype = to_xlsx(columns, rows, sheet_title=sheet_title), XLSX_MIMETYPE
    return send_file(
        BytesIO(body),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{stem}-{date.today().isoformat()}.{fmt}",
        max_age=0,
    )

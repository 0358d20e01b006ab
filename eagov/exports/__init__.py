"""Exports of lists: CSV and XLSX writers (tabular) that pages and the API share.

Writers are pure functions of columns and rows; callers load the rows through the services
(with the same filters the page shows) and send the bytes.
"""

from .tabular import CSV_MIMETYPE, XLSX_MIMETYPE, Column, to_csv, to_xlsx

__all__ = ["CSV_MIMETYPE", "XLSX_MIMETYPE", "Column", "to_csv", "to_xlsx"]

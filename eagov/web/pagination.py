"""Database-side pagination for lists.

Totals are counted up to ``COUNT_LIMIT`` rows (or to the end of the page asked for, when that
is further): counting every match of a filter scans all of them, so an exact total of a
million audit events would cost more than the page itself, and grow with the data. Past the
limit a page knows there are more (``exact`` False) and keeps a next page, but not a last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app, request
from sqlalchemy import func, literal
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")

COUNT_LIMIT = 1000


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    exact: bool = True  # False: there are more than ``total`` rows

    @property
    def pages(self) -> int:
        """The number of pages (exact), or of the pages known so far."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or not self.exact


def count_upto(session: Session, stmt: Any, page: int, per_page: int) -> tuple[int, bool]:
    """The rows of ``stmt`` (a select), counted up to ``COUNT_LIMIT`` or the end of ``page``,
    whichever is further: (count, whether it is the exact total)."""
    limit = max(COUNT_LIMIT, page * per_page)
    rows = stmt.order_by(None)
    if not rows._distinct:
        # Count rows, not their columns: wide rows (JSON sections, texts) cost to copy.
        rows = rows.with_only_columns(literal(1), maintain_column_froms=True)
    found = session.exec(select(func.count()).select_from(rows.limit(limit + 1).subquery())).one()
    return min(int(found), limit), int(found) <= limit


def paginate(session: Session, stmt: SelectOfScalar[T], page: int, per_page: int) -> Page[T]:
    page = max(1, page)
    total, exact = count_upto(session, stmt, page, per_page)
    items = list(session.exec(stmt.limit(per_page).offset((page - 1) * per_page)).all())
    return Page(items, total, page, per_page, exact)


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, clamped to the configured bounds."""
    cfg: Any = current_app.config
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", cfg["PAGE_SIZE"], type=int) or cfg["PAGE_SIZE"]
    return max(1, page), max(1, min(per_page, cfg["MAX_PAGE_SIZE"]))

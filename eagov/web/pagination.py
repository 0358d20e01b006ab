"""Database-side pagination for lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app, request
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, stmt: SelectOfScalar[T], page: int, per_page: int) -> Page[T]:
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    page = max(1, page)
    items = list(session.exec(stmt.limit(per_page).offset((page - 1) * per_page)).all())
    return Page(items, int(total), page, per_page)


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, clamped to the configured bounds."""
    cfg: Any = current_app.config
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", cfg["PAGE_SIZE"], type=int) or cfg["PAGE_SIZE"]
    return max(1, page), max(1, min(per_page, cfg["MAX_PAGE_SIZE"]))

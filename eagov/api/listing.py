"""Collection conventions: page/per_page, whitelisted sort keys, bounded ids, text search."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import Field, field_validator
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from ..schemas.common import Schema
from ..web.pagination import Page, paginate
from .inputs import MAX_INT

T = TypeVar("T")

MAX_PER_PAGE = 200
# Far beyond any real collection, and small enough that page * per_page stays a valid OFFSET.
MAX_PAGE = 1_000_000

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Search = Annotated[
    str | None,
    Field(max_length=200, description="Case-insensitive text search (substring match)."),
]


def sort_by(*keys: str, default: str) -> Any:
    """The ``sort`` field of a collection: each key ascending, or descending with a ``-``."""
    extra: dict[str, Any] = {"enum": [option for key in keys for option in (key, f"-{key}")]}
    return Field(
        default=default,
        description="Sort key; a leading - sorts descending. Ties are broken by id.",
        json_schema_extra=extra,
    )


class ListQuery(Schema):
    """Paging and sorting; each collection adds its filters and its ``sort = sort_by(...)``."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(
        default=25, ge=1, le=MAX_PER_PAGE, description=f"Items per page (at most {MAX_PER_PAGE})."
    )
    sort: str = sort_by("id", default="id")

    @field_validator("sort")
    @classmethod
    def _whitelisted(cls, value: str) -> str:
        # The keys are column names; only the listed ones may reach ORDER BY.
        allowed = sort_options(cls)
        if value not in allowed:
            raise ValueError(_l("Sort by one of: %(keys)s.", keys=", ".join(allowed)))
        return value


def sort_options(query: type[ListQuery]) -> list[str]:
    extra = query.model_fields["sort"].json_schema_extra
    return list(extra["enum"]) if isinstance(extra, dict) else []  # type: ignore[arg-type]


def ordered(
    stmt: SelectOfScalar[T], model: Any, sort: str, tiebreak: str = "id"
) -> SelectOfScalar[T]:
    """Apply a whitelisted sort key; the tiebreak keeps rows from hopping between pages."""
    key = sort.lstrip("-")
    column = col(getattr(model, key))
    stmt = stmt.order_by(column.desc() if sort.startswith("-") else column.asc())
    if key != tiebreak:
        stmt = stmt.order_by(col(getattr(model, tiebreak)).asc())
    return stmt


def page_of(session: Session, stmt: SelectOfScalar[T], query: ListQuery) -> Page[T]:
    per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
    return paginate(session, stmt, query.page, per_page)

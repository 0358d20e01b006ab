from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _timezone(value: str | None) -> str | None:
    if value and value not in _zones():
        raise ValueError(
            _l("Unknown time zone; use a name such as Europe/Berlin or Asia/Shanghai.")
        )
    return value or None


_zone_cache: set[str] = set()


def _zones() -> set[str]:
    if not _zone_cache:
        _zone_cache.update(available_timezones())
    return _zone_cache


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
TimeZone = Annotated[str | None, AfterValidator(_timezone)]

"""/api/v1/calendar: the governance calendar's events over a range of days, and the caller's
personal iCalendar feed addresses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from flask import Response, url_for
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid
from ..models import CalendarFeed, utcnow
from ..schemas.api_read import ReadModel, UtcDateTime
from ..schemas.common import Schema, TimeZone
from ..services import calendar as cal
from ..services import calendar_feeds as feeds
from ..web.calendar import event_url
from . import bp
from .listing import Id
from .responses import no_content, read_from, respond
from .spec import endpoint

TAG = "Calendar"
MAX_DAYS = 400
DEFAULT_DAYS = 31

Kind = Literal["meeting", "review", "deliverable", "dispensation", "contract", "action"]


class EventQuery(Schema):
    start: date | None = Field(
        default=None, alias="from", description="First day (inclusive); default today."
    )
    to: date | None = Field(
        default=None,
        description=f"Last day (inclusive); default {DEFAULT_DAYS - 1} days after from. "
        f"At most {MAX_DAYS} days from from.",
    )
    kind: str | None = Field(
        default=None,
        max_length=200,
        description="Only these kinds, comma-separated: " + ", ".join(cal.KINDS) + ".",
    )
    board_id: Id | None = Field(default=None, description="Only events of this board.")
    tz: TimeZone = Field(
        default=None,
        description="The time zone whose days from and to name (e.g. Europe/Berlin); default UTC.",
    )


class EventRead(BaseModel):
    uid: str = Field(description="Stable across calls (also the feed's UID).")
    kind: Kind
    id: int = Field(description="The id of the meeting, review, deliverable, ... itself.")
    title: str
    reference: str
    all_day: bool
    start: datetime | date = Field(description="A date for all-day events, else UTC date-time.")
    end: datetime | date | None
    board_id: int | None
    board: str | None
    location: str
    detail: str
    url: str = Field(description="The page that shows the subject.")


class EventList(BaseModel):
    items: list[EventRead]
    first_day: date = Field(description="The first day asked for (from, or its default).")
    last_day: date = Field(description="The last day asked for (to, or its default).")


def _window(query: EventQuery) -> tuple[date, date]:
    unknown = cal.unknown_kinds([query.kind or ""])
    if unknown:
        raise Invalid(
            errors={
                "kind": _l(
                    "Unknown kinds: %(kinds)s. Use %(known)s.",
                    kinds=", ".join(unknown),
                    known=", ".join(cal.KINDS),
                )
            }
        )
    tz = ZoneInfo(query.tz or "UTC")
    start = query.start or utcnow().astimezone(tz).date()
    outside = {
        name: _l("Enter a date between the years 1900 and 2999.")
        for name, day in (("from", start), ("to", query.to))
        if day is not None and not cal.FIRST_DAY <= day <= cal.LAST_DAY
    }
    if outside:
        raise Invalid(errors=outside)
    last = query.to or min(start + timedelta(days=DEFAULT_DAYS - 1), cal.LAST_DAY)
    if last < start:
        raise Invalid(errors={"to": _l("The end date must not be before the start date.")})
    if (last - start).days + 1 > MAX_DAYS:
        raise Invalid(errors={"to": _l("Ask for at most %(days)s days at a time.", days=MAX_DAYS)})
    return start, last


@endpoint(
    bp,
    "/calendar/events",
    summary="List calendar events",
    tag=TAG,
    query=EventQuery,
    response=EventList,
)
def list_calendar_events(query: EventQuery) -> Response:
    """Events on the days from..to (inclusive, at most 400 days; 422 beyond) that you may
    see, ordered by day (all-day events first) and time. Contracts and their deliverables
    are limited to those you take part in unless your roles read every contract.
    Cancelled meetings, closed contracts, finished deliverables and actions, and
    dispensations not in force are left out."""
    start, last = _window(query)
    items = cal.events(
        get_session(),
        current_actor(),
        start,
        last + timedelta(days=1),
        cal.parse_kinds([query.kind]) if query.kind else None,
        query.board_id,
        tz=ZoneInfo(query.tz or "UTC"),
    )
    body = EventList(
        items=[
            EventRead(
                uid=e.uid,
                kind=e.kind,
                id=e.id,
                title=e.title,
                reference=e.reference,
                all_day=e.all_day,
                start=e.start,
                end=e.end,
                board_id=e.board_id,
                board=e.board,
                location=e.location,
                detail=e.detail,
                url=event_url(e),
            )
            for e in items
        ],
        first_day=start,
        last_day=last,
    )
    return respond(body)


# --- feeds -------------------------------------------------------------------------------------


class FeedRead(ReadModel):
    id: int
    prefix: str = Field(description="The start of the secret token, to tell addresses apart.")
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class FeedCreated(FeedRead):
    url: str = Field(description="The secret feed address. Shown once: only a hash is stored.")


class FeedList(BaseModel):
    items: list[FeedRead]


def _feed_read(feed: CalendarFeed) -> FeedRead:
    return read_from(FeedRead, feed)


@endpoint(
    bp,
    "/calendar/feeds",
    summary="List your calendar feed addresses",
    tag=TAG,
    response=FeedList,
)
def list_calendar_feeds() -> Response:
    """Revoked addresses are listed too; the secret never is."""
    rows = feeds.feeds_of(get_session(), current_actor())
    return respond(FeedList(items=[_feed_read(f) for f in rows]))


class FeedCreate(Schema):
    """Nothing to send: the address is made for the caller."""


@endpoint(
    bp,
    "/calendar/feeds",
    method="POST",
    summary="Make a new calendar feed address",
    tag=TAG,
    body=FeedCreate,
    response=FeedCreated,
    status=201,
)
def create_calendar_feed(body: FeedCreate) -> Response:
    """Returns the secret iCalendar address (text/calendar, no sign-in needed), once. Your
    previous address, if any, stops working. The feed holds what you may see from 30 days
    back to 365 days ahead."""
    feed, token = feeds.create_feed(get_session(), current_actor())
    created = read_from(
        FeedCreated, feed, url=url_for("calendar.feed", token=token, _external=True)
    )
    return respond(created, 201)


@endpoint(
    bp,
    "/calendar/feeds/<id:feed_id>",
    method="DELETE",
    summary="Revoke a calendar feed address",
    tag=TAG,
    status=204,
)
def revoke_calendar_feed(feed_id: int) -> Response:
    """The address stops working at once (404). Revoking is final and repeatable, so feeds
    carry no version and need no If-Match."""
    feeds.revoke_feed(get_session(), current_actor(), feed_id)
    return no_content()

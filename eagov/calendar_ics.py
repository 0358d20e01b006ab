"""Calendar events as an iCalendar (RFC 5545) document, for the personal feeds.

A pure function of the events: the caller decides who sees what and how subjects link.
Timed events are written in UTC (calendar programs show them in their own zone); all-day
events as DATE values, ending the next day as the standard asks. The icalendar package
escapes text values (commas, semicolons, backslashes, newlines) and folds long lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from icalendar import Calendar
from icalendar import Event as IcsEvent

from .services.audit import as_utc
from .services.calendar import Event

PRODID = "-//eagov//Governance calendar//EN"


def render(
    events: Iterable[Event],
    *,
    now: datetime,
    name: str,
    url_of: Callable[[Event], str | None] = lambda _e: None,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = as_utc(now)
    for event in events:
        cal.add_component(_component(event, stamp, url_of(event)))
    return bytes(cal.to_ical())


def _component(event: Event, stamp: datetime, url: str | None) -> IcsEvent:
    item = IcsEvent()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    summary = f"{event.kind_label}: {event.title}"
    item.add("summary", f"{summary} ({event.reference})" if event.reference else summary)
    if isinstance(event.start, datetime):
        item.add("dtstart", as_utc(event.start))
        end = event.end if isinstance(event.end, datetime) and event.end > event.start else None
        if end is not None:
            item.add("dtend", as_utc(end))
    else:
        item.add("dtstart", event.start)
        last = event.end if isinstance(event.end, date) and event.end >= event.start else None
        item.add("dtend", (last or event.start) + timedelta(days=1))
        item.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
    item.add("categories", [event.kind_label])
    if event.location:
        item.add("location", event.location)
    lines = [line for line in (event.detail, event.board or "") if line]
    if url:
        item.add("url", url)
        lines.append(url)
    if lines:
        item.add("description", "\n".join(lines))
    return item

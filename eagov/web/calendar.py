"""The governance calendar (month, week and list views) and the personal iCalendar feed.

The views read ``services.calendar``; days are the viewer's days (their time zone). The
filters (kinds, board) travel in the query string, so every link and navigation button
keeps them and a filtered view can be bookmarked. Nothing needs JavaScript.

The feed address ``/calendar/feed/<token>.ics`` is the one page without a sign-in: calendar
programs cannot sign in, so the secret token in the address is the credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
)
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from .. import calendar_ics
from ..auth import current_actor, permission_required
from ..db import get_session
from ..models import utcnow
from ..permissions import Actor
from ..services import calendar as cal
from ..services import calendar_feeds as feeds
from ..services.org_queries import board_options

bp = Blueprint("calendar", __name__)

PER_DAY = 3  # badges in a month cell before "+N more"
WORKING_HOURS = range(8, 19)  # rows the week view always shows
LIST_DAYS = 30  # the list view's default window
MAX_LIST_DAYS = 366

# Where a subject's page is when its own page does not exist (yet): the area's list.
FALLBACK = {
    cal.MEETING: "meetings.list_meetings",
    cal.ACTION: "actions.list_actions",
    cal.REVIEW: "reviews.list_reviews",
    cal.DISPENSATION: "reviews.list_reviews",
    cal.DELIVERABLE: "contracts.list_contracts",
    cal.CONTRACT: "contracts.list_contracts",
}


def event_url(event: cal.Event, external: bool = False) -> str:
    try:
        return url_for(
            event.endpoint,
            _external=external,
            _anchor=event.anchor or None,
            **dict(event.args),
        )
    except BuildError:
        return url_for(FALLBACK[event.kind], _external=external)


# --- what every view shares --------------------------------------------------------------------


@dataclass
class Filters:
    kinds: list[str]  # empty: every kind
    board_id: int | None
    boards: list[tuple[int, str]] = field(default_factory=list)

    @property
    def shown_kinds(self) -> list[str]:
        return self.kinds or list(cal.KINDS)

    def args(self) -> dict[str, Any]:
        """The query-string values that keep these filters on a link."""
        out: dict[str, Any] = {}
        if self.kinds:
            out["kind"] = self.kinds
        if self.board_id:
            out["board"] = self.board_id
        return out


def _filters() -> Filters:
    return Filters(
        kinds=cal.parse_kinds(request.args.getlist("kind")),
        board_id=request.args.get("board", type=int) or None,
        boards=board_options(get_session()),
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def _today(tz: ZoneInfo) -> date:
    return utcnow().astimezone(tz).date()


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None
    if not cal.FIRST_DAY <= value <= cal.LAST_DAY:
        errors[name] = _("Enter a date between the years 1900 and 2999.")
        return None
    return value


def _events(f: Filters, start: date, end: date, tz: ZoneInfo) -> list[cal.Event]:
    return cal.events(get_session(), current_actor(), start, end, f.shown_kinds, f.board_id, tz=tz)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "event_url": event_url,
        "kind_labels": {k: str(v) for k, v in cal.KIND_LABELS.items()},
        "all_kinds": cal.KINDS,
        "event_time": lambda e: "" if e.all_day else str(format_time(e.start, "short")),
        "end_time": _end_time,
        "long_date": lambda d: str(format_date(d, "full")),
    }


def _end_time(event: cal.Event) -> str:
    """When a timed event ends: the time, with the date when it ends on another day."""
    if not isinstance(event.end, datetime) or not isinstance(event.start, datetime):
        return ""
    tz = _zone()
    if event.end.astimezone(tz).date() != event.start.astimezone(tz).date():
        return str(format_datetime(event.end, "short"))
    return str(format_time(event.end, "short"))


def _link(endpoint: str, f: Filters, **params: Any) -> str:
    return url_for(endpoint, **params, **f.args())


def _render(template: str, f: Filters, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        template,
        f=f,
        link=lambda endpoint, **params: _link(endpoint, f, **params),
        **context,
    ), status


# --- month -------------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    events: list[cal.Event]

    @property
    def shown(self) -> list[cal.Event]:
        return self.events[:PER_DAY] if len(self.events) > PER_DAY + 1 else self.events

    @property
    def more(self) -> int:
        return len(self.events) - len(self.shown)


def _month_arg(today: date, errors: dict[str, str]) -> date:
    raw = request.args.get("month", "").strip()
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            first = date(year, month, 1)
        except ValueError:
            errors["month"] = _("Enter a month as YYYY-MM.")
        else:
            if cal.FIRST_DAY < first < cal.LAST_DAY.replace(day=1):
                return first
            errors["month"] = _("Enter a date between the years 1900 and 2999.")
    return today.replace(day=1)


@bp.route("/calendar/")
@login_required
@permission_required("calendar.read")
def month() -> tuple[str, int]:
    f, tz = _filters(), _zone()
    today = _today(tz)
    errors: dict[str, str] = {}
    first = _month_arg(today, errors)
    weeks = cal.month_weeks(first.year, first.month)
    grouped = cal.by_day(_events(f, weeks[0][0], weeks[-1][-1] + timedelta(days=1), tz), tz)
    grid = [
        [Day(d, d.month == first.month, d == today, grouped.get(d, [])) for d in week]
        for week in weeks
    ]
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=31)).replace(day=1)
    return _render(
        "calendar/month.html",
        f,
        422 if errors else 200,
        errors=errors,
        first=first,
        grid=grid,
        day_names=_day_names(),
        title=str(format_date(first, "LLLL y")),
        prev_month=prev_month.strftime("%Y-%m"),
        next_month=next_month.strftime("%Y-%m"),
        this_month=today.strftime("%Y-%m"),
        week_date=(today if (today.year, today.month) == (first.year, first.month) else first),
    )


def _day_names() -> list[tuple[str, str]]:
    """(abbreviated, full) weekday names, Monday first, in the reader's language."""
    locale = get_locale() or "en"
    short = get_day_names("abbreviated", locale=locale)
    full = get_day_names("wide", locale=locale)
    return [(str(short[i]), str(full[i])) for i in range(7)]


# --- week --------------------------------------------------------------------------------------


@bp.route("/calendar/week")
@login_required
@permission_required("calendar.read")
def week() -> tuple[str, int]:
    f, tz = _filters(), _zone()
    today = _today(tz)
    errors: dict[str, str] = {}
    days = cal.week_days(_date_arg("date", errors) or today)
    items = _events(f, days[0], days[-1] + timedelta(days=1), tz)
    all_day: dict[date, list[cal.Event]] = {d: [] for d in days}
    timed: dict[tuple[int, date], list[cal.Event]] = {}
    for event in items:
        if event.all_day:
            all_day[event.day(tz)].append(event)
        else:
            assert isinstance(event.start, datetime)
            hour = event.start.astimezone(tz).hour
            timed.setdefault((hour, event.day(tz)), []).append(event)
    hours = sorted(set(WORKING_HOURS) | {hour for hour, _day in timed})
    names = _day_names()
    return _render(
        "calendar/week.html",
        f,
        422 if errors else 200,
        errors=errors,
        days=days,
        today=today,
        all_day=all_day,
        timed=timed,
        hours=hours,
        day_names=names,
        hour_label=lambda h: str(format_time(time(h), "short", rebase=False)),
        title=_(
            "Week of %(day)s",
            day=format_date(days[0], "long"),
        ),
        prev_week=(days[0] - timedelta(days=7)).isoformat(),
        next_week=(days[0] + timedelta(days=7)).isoformat(),
        this_week=today.isoformat(),
    )


# --- list --------------------------------------------------------------------------------------


@bp.route("/calendar/list")
@login_required
@permission_required("calendar.read")
def agenda() -> tuple[str, int]:
    """The agenda: events day by day over a window of dates (``from`` to ``to``, inclusive),
    with links to the windows before and after it."""
    f, tz = _filters(), _zone()
    today = _today(tz)
    errors: dict[str, str] = {}
    start = _date_arg("from", errors) or today
    last = _date_arg("to", errors) or start + timedelta(days=LIST_DAYS - 1)
    if last < start:
        errors["to"] = _("The end date must not be before the start date.")
        last = start + timedelta(days=LIST_DAYS - 1)
    elif (last - start).days + 1 > MAX_LIST_DAYS:
        errors["to"] = _("Show at most %(days)s days at a time.", days=MAX_LIST_DAYS)
        last = start + timedelta(days=MAX_LIST_DAYS - 1)
    if (
        start - timedelta(days=MAX_LIST_DAYS) < cal.FIRST_DAY
        or last + timedelta(days=MAX_LIST_DAYS) > cal.LAST_DAY
    ):
        errors["from"] = _("Enter a date between the years 1900 and 2999.")
        start, last = today, today + timedelta(days=LIST_DAYS - 1)
    span = timedelta(days=(last - start).days + 1)
    grouped = cal.by_day(_events(f, start, last + timedelta(days=1), tz), tz)
    return _render(
        "calendar/list.html",
        f,
        422 if errors else 200,
        errors=errors,
        start=start,
        last=last,
        today=today,
        days=sorted(grouped.items()),
        prev_window={"from": (start - span).isoformat(), "to": (start - timedelta(1)).isoformat()},
        next_window={"from": (last + timedelta(1)).isoformat(), "to": (last + span).isoformat()},
        this_window={"from": today.isoformat(), "to": (today + span - timedelta(1)).isoformat()},
        title=_(
            "%(start)s to %(end)s",
            start=format_date(start, "medium"),
            end=format_date(last, "medium"),
        ),
    )


# --- the personal feed -------------------------------------------------------------------------


def _feed_url(token: str) -> str:
    return url_for(".feed", token=token, _external=True)


def _feeds_page(secret_url: str | None = None, status: int = 200) -> Response:
    s, actor = get_session(), current_actor()
    resp = make_response(
        render_template(
            "calendar/feeds.html",
            feeds=feeds.feeds_of(s, actor),
            secret_url=secret_url,
            days_back=feeds.DAYS_BACK,
            days_ahead=feeds.DAYS_AHEAD,
        ),
        status,
    )
    resp.headers["Cache-Control"] = "no-store"  # the page may show a secret address
    return resp


@bp.route("/calendar/feeds", methods=["GET", "POST"])
@login_required
@permission_required("calendar.read")
def feed_settings() -> Response:
    if request.method == "POST":
        _feed, token = feeds.create_feed(get_session(), current_actor())
        return _feeds_page(secret_url=_feed_url(token))
    return _feeds_page()


@bp.route("/calendar/feeds/<int:feed_id>/revoke", methods=["POST"])
@login_required
@permission_required("calendar.read")
def revoke_feed(feed_id: int) -> Response:
    feeds.revoke_feed(get_session(), current_actor(), feed_id)
    flash(_("The feed address is revoked; calendar programs using it get nothing more."), "success")
    return redirect(url_for(".feed_settings"))


@bp.route("/calendar/feed/<token>.ics")
def feed(token: str) -> Response:
    """The owner's calendar as iCalendar, from a month back to a year ahead (no sign-in)."""
    s = get_session()
    owner = feeds.owner_of(s, token)
    if owner is None:
        abort(404)
    zone = owner.timezone or current_app.config["DEFAULT_TIMEZONE"]
    tz = ZoneInfo(str(zone))
    now = utcnow()
    start, end = feeds.feed_window(now.astimezone(tz).date())
    locale = owner.locale or current_app.config["DEFAULT_LOCALE"]
    with force_locale(locale):
        items = cal.events(s, Actor.of(owner), start, end, tz=tz)
        body = calendar_ics.render(
            items,
            now=now,
            name=_("eagov governance calendar"),
            url_of=lambda event: event_url(event, external=True),
        )
    resp = make_response(body)
    resp.mimetype = "text/calendar"
    resp.headers["Content-Disposition"] = 'inline; filename="eagov.ics"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp

"""Personal iCalendar feeds: a secret address per user that calendar programs poll.

The address carries a random token; only its SHA-256 is stored (like API tokens), so the
address is shown once, when it is made. A user has at most one working address: making a
new one revokes the old, and a revoked address, or one whose owner is disabled, is unknown.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..errors import Conflict, NotFound
from ..models import CalendarFeed, User, utcnow
from ..permissions import Actor, require
from . import audit
from .accounts import sha256
from .audit import as_utc
from .common import commit, flush, get_or_404

FEED_PREFIX = "cal_"
# The feed covers a month back (what was just missed) and a year ahead.
DAYS_BACK = 30
DAYS_AHEAD = 365


def feed_window(today: date) -> tuple[date, date]:
    """The days a feed covers: ``[start, end)``."""
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD + 1)


def feeds_of(session: Session, actor: Actor) -> list[CalendarFeed]:
    """The actor's own feed addresses, newest first (revoked ones stay on record)."""
    require(actor, "calendar.read")
    return list(
        session.exec(
            select(CalendarFeed)
            .where(CalendarFeed.user_id == actor.user_id)
            .order_by(col(CalendarFeed.created_at).desc(), col(CalendarFeed.id).desc())
        ).all()
    )


def active_feed(session: Session, actor: Actor) -> CalendarFeed | None:
    return next((f for f in feeds_of(session, actor) if f.revoked_at is None), None)


def create_feed(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret address for the actor; any address they had stops working.
    Returns the feed and its token (never stored, never shown again)."""
    require(actor, "calendar.read")
    now = now or utcnow()
    if actor.user_id is None:
        raise Conflict(_l("Only a user can hold a calendar feed."))
    owner = get_or_404(session, User, actor.user_id)
    if not owner.is_active:
        raise Conflict(_l("A disabled user cannot hold a calendar feed."))
    for old in session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == owner.id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).all():
        _revoke(session, actor, old, now)
    token = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        user_id=owner.id,  # type: ignore[arg-type]
        token_hash=sha256(token),
        prefix=token[:12],
        created_at=now,
    )
    session.add(feed)
    flush(session)
    audit.record(
        session,
        actor,
        "create",
        "calendar_feed",
        feed.id,
        {"user_id": owner.id, "prefix": feed.prefix},
        now=now,
    )
    commit(session)
    return feed, token


def revoke_feed(
    session: Session, actor: Actor, feed_id: int, *, now: datetime | None = None
) -> CalendarFeed:
    """Stop an address working. Someone else's feed is not found, unless the actor manages
    users (an administrator cutting off a leaked address)."""
    require(actor, "calendar.read")
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or (feed.user_id != actor.user_id and not actor.can("users.manage")):
        raise NotFound(_l("There is no calendar feed with the id %(id)s.", id=feed_id))
    if feed.revoked_at is None:
        _revoke(session, actor, feed, now or utcnow())
        commit(session)
    return feed


def _revoke(session: Session, actor: Actor, feed: CalendarFeed, now: datetime) -> None:
    feed.revoked_at = now
    session.add(feed)
    flush(session)
    audit.record(
        session,
        actor,
        "revoke",
        "calendar_feed",
        feed.id,
        {"user_id": feed.user_id, "prefix": feed.prefix},
        now=now,
    )


def owner_of(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The active user whose working feed address carries ``token``; None otherwise."""
    if not token.startswith(FEED_PREFIX) or len(token) > 100:
        return None
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == sha256(token))
    ).first()
    if feed is None or feed.revoked_at is not None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    now = now or utcnow()
    # Calendar programs poll every few minutes: note the use at most once an hour, with a
    # plain UPDATE (bookkeeping, not an edit).
    if feed.last_used_at is None or now - as_utc(feed.last_used_at) > timedelta(hours=1):
        session.exec(
            update(CalendarFeed).where(col(CalendarFeed.id) == feed.id).values(last_used_at=now)
        )
        session.commit()
    return user

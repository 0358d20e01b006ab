"""Delivering notifications: e-mail over SMTP (immediately or in a daily digest) with
retries, and the in-app inbox and delivery preferences.

Exactly once: a deliverer claims each row with a conditional UPDATE (pending -> sending) and
commits before talking to the SMTP server, and marks it sent in its own commit right after
the server accepted it. A second deliverer's UPDATE then matches nothing. A row left in
"sending" by a process that died is taken up again once the claim is older than
``MAIL_SENDING_STALE_SECONDS`` (10 minutes); if that process died in the moment between the
server accepting the mail and our commit, the mail goes out twice with the same Message-ID.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import Session, col, select

from ..errors import Conflict, NotFound
from ..labels import label
from ..mail import CONNECTION_ERRORS, Mailer, OutgoingMail
from ..models import User
from ..models.reminders import (
    DeliveryMode,
    Notification,
    NotificationPreference,
    NotificationStatus,
    ReminderKind,
    SchedulerState,
)
from ..permissions import Actor, require
from ..schemas.notifications import PreferenceRead, PreferencesIn
from ..web.pagination import Page, paginate
from . import audit
from .common import commit

log = logging.getLogger(__name__)

N = Notification
P = NotificationPreference
S = NotificationStatus
STALE_SECONDS = 600
BATCH = 200
DIGEST_PREFIX = "digest:"
UNSUBSCRIBE_PATH = "/notifications/unsubscribe/"
_SALT = "eagov.unsubscribe"


@dataclass
class DeliveryResult:
    sent: int = 0  # notifications e-mailed (a digest counts each notification in it)
    mails: int = 0  # messages handed to the SMTP server
    retrying: int = 0  # failed now, tried again later
    failed: int = 0  # failed for the last time
    unsubscribed: int = 0  # no e-mail wanted: kept in the app only
    skipped: int = 0  # claimed by another deliverer meanwhile
    disabled: bool = False  # MAIL_ENABLED is off: nothing was sent

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- e-mail ------------------------------------------------------------------------------------


def deliver_due(session: Session, now: datetime, mailer: Mailer | None = None) -> DeliveryResult:
    """E-mail every pending notification due by ``now`` whose recipient wants it at once."""
    _cancel_stale(session, now)
    result = DeliveryResult()
    if not current_app.config.get("MAIL_ENABLED"):
        result.disabled = True
        return result
    result.unsubscribed = _drop_unsubscribed(session)
    ids = session.exec(
        select(N.id)
        .outerjoin(P, and_(col(P.user_id) == col(N.user_id), col(P.kind) == col(N.kind)))
        .where(_deliverable(now), or_(col(P.id).is_(None), _wants(DeliveryMode.IMMEDIATE)))
        .order_by(col(N.due_at), col(N.id))
        .limit(BATCH)
    ).all()
    own = mailer is None
    mailer = mailer or Mailer(current_app.config)
    try:
        for nid in ids:
            assert nid is not None
            if not _claim(session, [nid], now):
                result.skipped += 1
                continue
            _test_delay(0.5)
            item = session.get(N, nid, populate_existing=True)
            user = session.get(User, item.user_id) if item else None
            if item is None or user is None:
                continue
            try:
                mailer.send(_single_mail(item, user))
            except Exception as exc:
                _record_failure(session, [nid], now, exc, result)
                if isinstance(exc, CONNECTION_ERRORS):
                    break  # the server is unreachable: the rest waits for the next run
                continue
            _mark_sent(session, [nid], now)
            result.sent += 1
            result.mails += 1
            _test_delay(0.5)
    finally:
        if own:
            mailer.close()
    return result


def send_digests(session: Session, now: datetime, mailer: Mailer | None = None) -> DeliveryResult:
    """Once a day, after ``SCHEDULER_DIGEST_HOUR`` in the user's own time zone, one e-mail
    with all their pending notifications of the kinds they chose to receive as a digest."""
    result = DeliveryResult()
    if not current_app.config.get("MAIL_ENABLED"):
        result.disabled = True
        return result
    hour = int(current_app.config.get("SCHEDULER_DIGEST_HOUR", 8))
    digest_rows = (
        select(N.id, N.user_id)
        .join(P, and_(col(P.user_id) == col(N.user_id), col(P.kind) == col(N.kind)))
        .where(_deliverable(now), _wants(DeliveryMode.DIGEST))
    )
    user_ids = sorted({uid for _nid, uid in session.exec(digest_rows).all()})
    own = mailer is None
    mailer = mailer or Mailer(current_app.config)
    try:
        for uid in user_ids:
            user = session.get(User, uid)
            if user is None:
                continue
            local = now.astimezone(_zone(user))
            day = local.date().isoformat()
            if local.hour < hour or _digest_day(session, uid) == day:
                continue
            ids = [
                nid
                for nid, _u in session.exec(digest_rows.where(col(N.user_id) == uid))
                if nid is not None
            ]
            claimed = [nid for nid in ids if _claim(session, [nid], now)]
            result.skipped += len(ids) - len(claimed)
            if not claimed:
                continue
            items = list(
                session.exec(
                    select(N)
                    .where(col(N.id).in_(claimed))
                    .order_by(col(N.due_at), col(N.id))
                    .execution_options(populate_existing=True)
                ).all()
            )
            try:
                mailer.send(_digest_mail(items, user, local, f"{DIGEST_PREFIX}{uid}:{day}"))
            except Exception as exc:
                _record_failure(session, claimed, now, exc, result)
                if isinstance(exc, CONNECTION_ERRORS):
                    break
                continue
            _set_digest_day(session, uid, day, now, len(claimed))
            _mark_sent(session, claimed, now)
            result.sent += len(claimed)
            result.mails += 1
            _test_delay()
    finally:
        if own:
            mailer.close()
    return result


def _cancel_stale(session: Session, now: datetime) -> None:
    """Reminders whose subject was completed or reassigned are not sent (reminders service)."""
    try:
        from . import reminders
    except ImportError:  # pragma: no cover - the reminders service is not installed
        return
    cancel = getattr(reminders, "cancel_stale", None)
    if cancel is not None:
        cancel(session, now)


def _deliverable(now: datetime) -> Any:
    stale_before = now - timedelta(seconds=_stale_seconds())
    return and_(
        col(N.email).is_(True),
        col(N.due_at) <= now,
        or_(
            and_(
                col(N.status) == S.PENDING,
                or_(col(N.next_attempt_at).is_(None), col(N.next_attempt_at) <= now),
            ),
            # interrupted mid-send by a process that died
            and_(col(N.status) == S.SENDING, col(N.claimed_at) < stale_before),
        ),
    )


def _wants(mode: DeliveryMode) -> Any:
    return and_(col(P.mode) == mode, col(P.email_enabled).is_(True))


def _stale_seconds() -> float:
    return float(current_app.config.get("MAIL_SENDING_STALE_SECONDS", STALE_SECONDS))


def _claim(session: Session, ids: Sequence[int], now: datetime) -> bool:
    """Take the rows for this deliverer and commit, so nobody else sends them."""
    res: Any = session.execute(
        update(N)
        .where(col(N.id).in_(ids), _deliverable(now))
        .values(status=S.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(res.rowcount == len(ids))


def _mark_sent(session: Session, ids: Sequence[int], now: datetime) -> None:
    session.execute(
        update(N)
        .where(col(N.id).in_(ids), col(N.status) == S.SENDING)
        .values(status=S.SENT, sent_at=now, attempts=col(N.attempts) + 1, last_error="")
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record_failure(
    session: Session, ids: Sequence[int], now: datetime, exc: BaseException, result: DeliveryResult
) -> None:
    """Back to pending after the next back-off step, or failed after the last one."""
    retries = [int(m) for m in current_app.config.get("MAIL_RETRY_MINUTES", [])]
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("sending notifications %s failed: %s", list(ids), error)
    for item in session.exec(
        select(N).where(col(N.id).in_(ids)).execution_options(populate_existing=True)
    ).all():
        item.attempts += 1
        item.last_error = error
        if item.attempts > len(retries):
            item.status = S.FAILED
            item.next_attempt_at = None
            result.failed += 1
        else:
            item.status = S.PENDING
            item.next_attempt_at = now + timedelta(minutes=retries[item.attempts - 1])
            result.retrying += 1
        session.add(item)
    session.commit()


def _drop_unsubscribed(session: Session) -> int:
    """Pending e-mail of a kind the user unsubscribed from stays in the app only."""
    res: Any = session.execute(
        update(N)
        .where(
            col(N.status) == S.PENDING,
            exists()
            .where(col(P.user_id) == col(N.user_id), col(P.kind) == col(N.kind))
            .where(col(P.email_enabled).is_(False)),
        )
        .values(status=S.IN_APP_ONLY)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(res.rowcount or 0)


def _test_delay(share: float = 1.0) -> None:
    # Test-only (EAGOV_TEST_SEND_DELAY_SECONDS): lets the crash test kill the scheduler between
    # two mails, or after a claim and before its send.
    delay = float(current_app.config.get("TEST_SEND_DELAY_SECONDS") or 0)
    if delay:
        time.sleep(delay * share)


def _digest_day(session: Session, user_id: int) -> str | None:
    state = session.get(SchedulerState, f"{DIGEST_PREFIX}{user_id}", populate_existing=True)
    return str(state.last_result.get("day")) if state and state.last_result else None


def _set_digest_day(session: Session, user_id: int, day: str, now: datetime, count: int) -> None:
    key = f"{DIGEST_PREFIX}{user_id}"
    state = session.get(SchedulerState, key) or SchedulerState(job=key)
    state.last_started_at = state.last_started_at or now
    state.last_finished_at = now
    state.last_result = {"day": day, "notifications": count}
    session.add(state)


# --- rendering ---------------------------------------------------------------------------------


def _locale(user: User) -> str:
    cfg = current_app.config
    return str(user.locale if user.locale in cfg["LANGUAGES"] else cfg["DEFAULT_LOCALE"])


def _zone(user: User) -> ZoneInfo:
    for name in (user.timezone, current_app.config.get("DEFAULT_TIMEZONE"), "UTC"):
        if name:
            try:
                return ZoneInfo(str(name))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _absolute(link: str) -> str:
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return f"{base}{link}" if link.startswith("/") else link


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = unsubscribe_token(str(current_app.config["SECRET_KEY"]), user_id, kind)
    return _absolute(f"{UNSUBSCRIBE_PATH}{token}")


def _context(user: User) -> dict[str, Any]:
    locale, zone = _locale(user), _zone(user)

    def when(value: datetime | None) -> str:
        return format_datetime(value, "medium", tzinfo=zone, locale=locale) if value else ""

    return {
        "user": user,
        "when": when,
        "zone": str(zone),
        "absolute": _absolute,
        "kind_label": lambda kind: str(label(kind)),
        "unsubscribe_url": lambda kind: unsubscribe_url(user.id or 0, kind),
        "preferences_url": _absolute("/notifications/preferences"),
    }


def _single_mail(item: Notification, user: User) -> OutgoingMail:
    ctx = _context(user)
    with force_locale(_locale(user)):
        subject = str(_l("[eagov] %(title)s", title=item.title))
        text = render_template("mail/notification.txt", n=item, **ctx)
        html = render_template("mail/notification.html", n=item, **ctx)
    return _outgoing(user, subject, text, html, f"notification:{item.id}", item.kind)


def _digest_mail(items: list[Notification], user: User, local: datetime, key: str) -> OutgoingMail:
    ctx = _context(user)
    with force_locale(_locale(user)):
        subject = str(_l("[eagov] Your daily digest: %(count)s notifications", count=len(items)))
        day = ctx["when"](local)
        text = render_template("mail/digest.txt", items=items, day=day, **ctx)
        html = render_template("mail/digest.html", items=items, day=day, **ctx)
    kinds = {i.kind for i in items}
    return _outgoing(user, subject, text, html, key, kinds.pop() if len(kinds) == 1 else None)


def _outgoing(
    user: User, subject: str, text: str, html: str, key: str, kind: str | None
) -> OutgoingMail:
    headers = {}
    if kind:
        # RFC 8058 one-click unsubscribe: mail clients POST to the link.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(user.id or 0, kind)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return OutgoingMail(
        to=user.email,
        to_name=user.name,
        subject=subject,
        text=text,
        html=html,
        key=key,
        headers=headers,
    )


# --- unsubscribe tokens ------------------------------------------------------------------------


def unsubscribe_token(secret: str, user_id: int, kind: str) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps([user_id, kind])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """The (user id, kind) the link was made for, or None for a forged or mangled one."""
    try:
        user_id, kind = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or kind not in set(ReminderKind):
        return None
    return user_id, str(kind)


def unsubscribe(session: Session, user_id: int, kind: str) -> User:
    """The e-mail link: no more e-mail of this kind (the in-app notifications stay). The signed
    link is the credential, so the user is the actor."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(_l("This unsubscribe link is no longer valid."))
    actor = Actor.of(user)
    _save(session, actor, user_id, [(kind, None, False)])
    commit(session)
    return user


# --- preferences -------------------------------------------------------------------------------


def preferences(session: Session, actor: Actor) -> list[PreferenceRead]:
    """Every kind with the user's choice (immediate e-mail when never chosen)."""
    require(actor, "notifications.own")
    stored = {
        p.kind: p for p in session.exec(select(P).where(col(P.user_id) == actor.user_id)).all()
    }
    out = []
    for kind in ReminderKind:
        pref = stored.get(kind.value)
        out.append(
            PreferenceRead(
                kind=kind.value,
                mode=pref.mode if pref else DeliveryMode.IMMEDIATE.value,
                email_enabled=pref.email_enabled if pref else True,
            )
        )
    return out


def save_preferences(session: Session, actor: Actor, data: PreferencesIn) -> list[PreferenceRead]:
    """Set the listed kinds; the others keep their choice. One's own settings: the last save
    wins (there is nobody else to race with), so no version check."""
    require(actor, "notifications.own")
    if actor.user_id is None:
        raise NotFound(_l("Only a signed-in user has notification preferences."))
    _save(
        session,
        actor,
        actor.user_id,
        [(p.kind.value, p.mode.value, p.email_enabled) for p in data.preferences],
    )
    commit(session)
    return preferences(session, actor)


def _save(
    session: Session, actor: Actor, user_id: int, values: list[tuple[str, str | None, bool]]
) -> None:
    stored = {p.kind: p for p in session.exec(select(P).where(col(P.user_id) == user_id)).all()}
    changes: dict[str, Any] = {}
    for kind, mode, email_enabled in values:
        pref = stored.get(kind) or P(user_id=user_id, kind=kind)
        before = (pref.mode, pref.email_enabled)
        pref.mode = mode or pref.mode or DeliveryMode.IMMEDIATE.value
        pref.email_enabled = email_enabled
        if pref.id is None or before != (pref.mode, pref.email_enabled):
            changes[kind] = {"mode": pref.mode, "email": pref.email_enabled}
            session.add(pref)
    if changes:
        session.flush()
        audit.record(session, actor, "preferences", "notification_preference", user_id, changes)


# --- the inbox ---------------------------------------------------------------------------------


def _inbox_filter(user_id: int | None) -> Any:
    return and_(col(N.user_id) == user_id, col(N.in_app).is_(True), col(N.status) != S.CANCELLED)


def inbox(
    session: Session, actor: Actor, page: int = 1, per_page: int = 25, unread: bool = False
) -> Page[Notification]:
    """The user's in-app notifications, newest first."""
    require(actor, "notifications.own")
    stmt = select(N).where(_inbox_filter(actor.user_id))
    if unread:
        stmt = stmt.where(col(N.read_at).is_(None))
    stmt = stmt.order_by(col(N.created_at).desc(), col(N.id).desc())
    return paginate(session, stmt, page, per_page)


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(N)
            .where(_inbox_filter(user_id), col(N.read_at).is_(None))
        ).one()
    )


def get_own(session: Session, actor: Actor, notification_id: int) -> Notification:
    require(actor, "notifications.own")
    item = session.get(N, notification_id)
    # Someone else's notification is as good as absent.
    if item is None or item.user_id != actor.user_id or not item.in_app:
        raise NotFound(_l("There is no notification with the id %(id)s.", id=notification_id))
    return item


def mark_read(
    session: Session, actor: Actor, notification_id: int, now: datetime, read: bool = True
) -> Notification:
    """Reading is not a governance event: no audit record."""
    item = get_own(session, actor, notification_id)
    item.read_at = (item.read_at or now) if read else None
    session.add(item)
    commit(session)
    return item


def mark_all_read(session: Session, actor: Actor, now: datetime) -> int:
    require(actor, "notifications.own")
    res: Any = session.execute(
        update(N)
        .where(_inbox_filter(actor.user_id), col(N.read_at).is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    commit(session)
    return int(res.rowcount or 0)


# --- administrators ----------------------------------------------------------------------------


@dataclass
class FailedRow:
    notification: Notification
    user: User | None


def failed_notifications(
    session: Session, actor: Actor, page: int = 1, per_page: int = 25
) -> Page[FailedRow]:
    """E-mails given up after the last retry, newest first, with their recipients."""
    require(actor, "scheduler.admin")
    found = paginate(
        session,
        select(N).where(col(N.status) == S.FAILED).order_by(col(N.id).desc()),
        page,
        per_page,
    )
    user_ids = {n.user_id for n in found.items}
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    rows = [FailedRow(n, users.get(n.user_id)) for n in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def retry(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Put a failed e-mail back in the queue with a fresh set of retries."""
    require(actor, "scheduler.admin")
    item = session.get(N, notification_id)
    if item is None:
        raise NotFound(_l("There is no notification with the id %(id)s.", id=notification_id))
    if item.status != S.FAILED:
        raise Conflict(_l("Only a failed e-mail can be sent again."))
    item.status = S.PENDING
    item.attempts = 0
    item.next_attempt_at = None
    item.claimed_at = None
    session.add(item)
    session.flush()
    audit.record(
        session, actor, "retry", "notification", item.id, {"status": ["failed", "pending"]}
    )
    commit(session)
    return item

"""Delivery to a real SMTP server (aiosmtpd): exactly once, HTML and text in the recipient's
language and time zone, retries with back-off, the daily digest, and mail switched off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from mail_server import SmtpServer, free_port, notify, parts
from sqlmodel import Session, select

from eagov.errors import Conflict, Forbidden
from eagov.models import User
from eagov.models.meetings import Action, ActionStatus
from eagov.models.reminders import Notification, NotificationPreference, NotificationStatus
from eagov.permissions import SYSTEM, Actor
from eagov.services import delivery
from eagov.services.audit import as_utc

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_app(app: Flask, app_factory: Any, smtp: SmtpServer) -> Flask:
    """The test app's database, with mail on and pointed at the test SMTP server."""
    return app_factory(**smtp.config(), BASE_URL="https://eagov.example.org")  # type: ignore[no-any-return]


def _user(session: Session, make_user: Any, locale: str | None, tz: str | None) -> User:
    user: User = make_user("architect")
    user.locale, user.timezone = locale, tz
    session.add(user)
    session.commit()
    return user


def _status(session: Session, item: Notification) -> Notification:
    session.refresh(item)
    return item


def test_each_due_notification_is_mailed_once_in_the_users_language_and_time_zone(
    mail_app: Flask, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    en = _user(session, make_user, None, None)
    zh = _user(session, make_user, "zh_Hans", "Asia/Shanghai")
    a = notify(session, en, NOW - timedelta(hours=1), title="D-1 is due <soon>")
    b = notify(session, zh, NOW - timedelta(minutes=1), n=1, title="D-2 is due")
    later = notify(session, en, NOW + timedelta(hours=1), n=2)

    with mail_app.app_context():
        first = delivery.deliver_due(session, NOW)
        again = delivery.deliver_due(session, NOW + timedelta(minutes=1))

    assert (first.sent, again.sent) == (2, 0)
    assert len(smtp.messages) == 2
    by_to = {m["To"].split("<")[-1].rstrip(">"): m for m in smtp.messages}
    en_mail, zh_mail = by_to[en.email], by_to[zh.email]
    assert en_mail.get_content_type() == "multipart/alternative"
    en_parts, zh_parts = parts(en_mail), parts(zh_mail)
    assert set(en_parts) == {"plain", "html"}
    # Due 09:00 UTC for the English reader, 17:59 in Shanghai for the Chinese one.
    assert "9:00:00" in en_parts["plain"] and "UTC" in en_parts["plain"]
    assert "17:59:00" in zh_parts["plain"] and "Asia/Shanghai" in zh_parts["plain"]
    assert "Action due" in en_parts["plain"]
    assert "行动项截止" in zh_parts["plain"]
    # User text is escaped in the HTML part, the link made absolute.
    assert "D-1 is due &lt;soon&gt;" in en_parts["html"]
    assert f"https://eagov.example.org/actions/{a.subject_id}" in en_parts["html"]
    assert "/notifications/unsubscribe/" in en_mail["List-Unsubscribe"]
    # A stable Message-ID, derived from the notification.
    assert en_mail["Message-ID"].endswith("@eagov.example.org>")
    assert _status(session, a).status == NotificationStatus.SENT
    assert as_utc(_status(session, b).sent_at) == NOW  # type: ignore[arg-type]
    assert _status(session, later).status == NotificationStatus.PENDING


def test_smtp_down_retries_with_back_off_then_fails_and_an_admin_can_retry(
    app_factory: Any, app: Flask, session: Session, make_user: Any
) -> None:
    down = app_factory(MAIL_ENABLED=True, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    down.config["MAIL_RETRY_MINUTES"] = [1, 5]
    user = _user(session, make_user, None, None)
    item = notify(session, user, NOW)

    with down.app_context():
        r1 = delivery.deliver_due(session, NOW)
        assert (r1.sent, r1.retrying) == (0, 1)
        item = _status(session, item)
        assert (item.status, item.attempts) == ("pending", 1)
        assert as_utc(item.next_attempt_at) == NOW + timedelta(minutes=1)  # type: ignore[arg-type]
        assert "refused" in item.last_error.lower() or "error" in item.last_error.lower()
        # Not before the back-off has passed.
        assert delivery.deliver_due(session, NOW + timedelta(seconds=30)).retrying == 0
        delivery.deliver_due(session, NOW + timedelta(minutes=1))
        assert as_utc(_status(session, item).next_attempt_at) == NOW + timedelta(minutes=6)  # type: ignore[arg-type]
        r3 = delivery.deliver_due(session, NOW + timedelta(minutes=6))
        assert r3.failed == 1
        assert _status(session, item).status == NotificationStatus.FAILED
        assert delivery.deliver_due(session, NOW + timedelta(days=1)).failed == 0

    failed = delivery.failed_notifications(session, SYSTEM)
    assert [row.notification.id for row in failed.items] == [item.id]
    assert failed.items[0].user is not None and failed.items[0].user.email == user.email
    with pytest.raises(Forbidden):
        delivery.retry(session, Actor.of(user), item.id)  # type: ignore[arg-type]
    delivery.retry(session, SYSTEM, item.id)  # type: ignore[arg-type]
    assert (_status(session, item).status, item.attempts) == ("pending", 0)
    with pytest.raises(Conflict):
        delivery.retry(session, SYSTEM, item.id)  # type: ignore[arg-type]

    with SmtpServer() as smtp:
        up = app_factory(**smtp.config())
        with up.app_context():
            assert delivery.deliver_due(session, NOW + timedelta(days=1)).sent == 1
        assert len(smtp.messages) == 1


def test_an_interrupted_send_is_resent_only_after_the_claim_went_stale(
    mail_app: Flask, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    user = _user(session, make_user, None, None)
    item = notify(session, user, NOW, status="sending", claimed_at=NOW - timedelta(minutes=2))
    with mail_app.app_context():
        assert delivery.deliver_due(session, NOW).sent == 0  # another deliverer may be at it
        assert delivery.deliver_due(session, NOW + timedelta(minutes=9)).sent == 1
    assert _status(session, item).status == NotificationStatus.SENT
    assert len(smtp.messages) == 1


def test_digest_groups_a_users_notifications_once_a_day_after_the_local_hour(
    mail_app: Flask, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    # 08:00 in Berlin is 07:00 UTC in winter.
    user = _user(session, make_user, None, "Europe/Berlin")
    other = _user(session, make_user, None, None)
    session.add(NotificationPreference(user_id=user.id, kind="action_due", mode="digest"))  # type: ignore[arg-type]
    session.commit()
    night = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    a = notify(session, user, night, title="First thing")
    b = notify(session, user, night, n=1, title="Second thing")
    immediate = notify(session, other, night, n=2)

    with mail_app.app_context():
        # Immediate delivery leaves the digest ones alone.
        assert delivery.deliver_due(session, night).sent == 1
        assert delivery.send_digests(session, night + timedelta(hours=1, minutes=59)).mails == 0
        sent = delivery.send_digests(session, night + timedelta(hours=2))
        assert (sent.mails, sent.sent) == (1, 2)
        # A new notification the same day waits for tomorrow's digest.
        c = notify(session, user, night + timedelta(hours=3), n=3, title="Third thing")
        assert delivery.send_digests(session, night + timedelta(hours=4)).mails == 0
        assert delivery.send_digests(session, night + timedelta(days=1, hours=2)).mails == 1

    assert len(smtp.messages) == 3
    digest = parts(smtp.messages[1])["plain"]
    assert "First thing" in digest and "Second thing" in digest
    assert "Third thing" in parts(smtp.messages[2])["plain"]
    assert {_status(session, x).status for x in (a, b, c, immediate)} == {"sent"}


def test_mail_disabled_sends_nothing_and_keeps_the_rows_pending(
    app: Flask, app_factory: Any, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    off = app_factory(MAIL_ENABLED=False, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    user = _user(session, make_user, None, None)
    item = notify(session, user, NOW)
    with off.app_context():
        assert delivery.deliver_due(session, NOW).disabled
        assert delivery.send_digests(session, NOW).disabled
    assert smtp.messages == []
    assert _status(session, item).status == NotificationStatus.PENDING


def test_unsubscribed_kind_stays_in_the_app_only(
    mail_app: Flask, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    user = _user(session, make_user, None, None)
    other_user = _user(session, make_user, None, None)
    with mail_app.app_context():
        delivery.unsubscribe(session, user.id, "action_due")  # type: ignore[arg-type]
        item = notify(session, user, NOW)
        other = notify(session, other_user, NOW, n=1)
        result = delivery.deliver_due(session, NOW)
    assert (result.sent, result.unsubscribed) == (1, 1)
    assert _status(session, item).status == NotificationStatus.IN_APP_ONLY
    assert _status(session, other).status == NotificationStatus.SENT
    pref = session.exec(select(NotificationPreference)).one()
    assert (pref.user_id, pref.kind, pref.email_enabled) == (user.id, "action_due", False)


def test_a_reminder_whose_subject_was_completed_is_cancelled_not_sent(
    mail_app: Flask, session: Session, make_user: Any, smtp: SmtpServer
) -> None:
    user = _user(session, make_user, None, None)
    done = notify(session, user, NOW)
    action = session.get(Action, done.subject_id)
    assert action is not None
    action.status = ActionStatus.DONE
    session.add(action)
    session.commit()
    with mail_app.app_context():
        assert delivery.deliver_due(session, NOW).sent == 0
    assert _status(session, done).status == NotificationStatus.CANCELLED
    assert smtp.messages == []


def test_unsubscribe_tokens_are_signed() -> None:
    token = delivery.unsubscribe_token("k1", 7, "action_due")
    assert delivery.read_unsubscribe_token("k1", token) == (7, "action_due")
    assert delivery.read_unsubscribe_token("k2", token) is None
    assert delivery.read_unsubscribe_token("k1", token[:-2] + "xx") is None
    assert delivery.read_unsubscribe_token("k1", delivery.unsubscribe_token("k1", 7, "x")) is None

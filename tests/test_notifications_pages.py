"""The notifications inbox (newest first, paginated, unread badge, mark read), the delivery
preferences page and the unsubscribe link that works without signing in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import count_statements, csrf_from, post_form
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from eagov.models import User
from eagov.models.reminders import Notification, NotificationPreference
from eagov.services import delivery

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def add(session: Session, user: User, count: int = 1, **values: Any) -> list[Notification]:
    start = session.exec(select(Notification.id)).all()
    rows = []
    for i in range(count):
        n = len(start) + i
        rows.append(
            Notification(
                kind=values.get("kind", "action_due"),
                subject_type="action",
                subject_id=n + 1,
                occurrence=f"before:1:2026-11-{(n % 28) + 1:02d}:{n}",
                user_id=user.id,  # type: ignore[arg-type]
                due_at=T0,
                title=values.get("title", f"Reminder {n}"),
                link="/actions/1",
                created_at=T0 + timedelta(minutes=n),
                status=values.get("status", "sent"),
            )
        )
    session.add_all(rows)
    session.commit()
    return rows


def test_inbox_lists_my_notifications_newest_first_with_an_unread_badge(
    client: FlaskClient, session: Session, login_as: Any, make_user: Any
) -> None:
    me = login_as("viewer")
    other = make_user("viewer")
    add(session, me, title="Older")
    add(session, me, title="Newer")
    add(session, me, title="Withdrawn", status="cancelled")
    add(session, other, title="Not mine")

    page = client.get("/notifications")
    assert page.status_code == 200
    text = page.text
    assert text.index("Newer") < text.index("Older")
    assert "Not mine" not in text and "Withdrawn" not in text
    assert 'id="inbox-unread">2<' in text  # the badge next to the user menu

    newest = session.exec(select(Notification).where(Notification.title == "Newer")).one()
    resp = post_form(client, f"/notifications/{newest.id}/read", {}, page="/notifications")
    assert resp.status_code == 302
    assert 'id="inbox-unread">1<' in client.get("/notifications").text
    assert 'id="inbox-unread"' not in client.get("/notifications?unread=1").text.replace(
        'id="inbox-unread">1<', ""
    )

    resp = post_form(client, "/notifications/read-all", {}, page="/notifications")
    assert resp.status_code == 302
    assert 'id="inbox-unread"' not in client.get("/notifications").text


def test_someone_elses_notification_cannot_be_marked(
    client: FlaskClient, session: Session, login_as: Any, make_user: Any
) -> None:
    login_as("viewer")
    (theirs,) = add(session, make_user("viewer"))
    resp = post_form(client, f"/notifications/{theirs.id}/read", {}, page="/notifications")
    assert resp.status_code == 404
    session.refresh(theirs)
    assert theirs.read_at is None


def test_inbox_paginates_in_the_database_with_a_bounded_number_of_statements(
    app: Flask, client: FlaskClient, session: Session, login_as: Any
) -> None:
    me = login_as("viewer")
    add(session, me, 3)
    client.get("/notifications")
    with count_statements(app) as small:
        client.get("/notifications")
    add(session, me, 30)
    with count_statements(app) as large:
        page = client.get("/notifications?per_page=10")
    assert len(large) == len(small)
    assert page.text.count("data-notification=") == 10
    assert "Page 1 of 4" in page.text


def test_preferences_per_kind_immediate_or_digest_and_email_on_or_off(
    client: FlaskClient, session: Session, login_as: Any
) -> None:
    me = login_as("viewer")
    page = client.get("/notifications/preferences")
    assert page.status_code == 200 and "Action due" in page.text
    form: dict[str, str] = {"mode_action_due": "digest", "email_action_due": "on"}
    for kind in ("deliverable_due", "meeting_upcoming"):
        form[f"mode_{kind}"] = "immediate"  # e-mail box left unticked: off
    resp = client.post(
        "/notifications/preferences", data={**form, "csrf_token": csrf_from(page.text)}
    )
    assert resp.status_code == 302
    prefs = {
        p.kind: (p.mode, p.email_enabled)
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == me.id)
        )
    }
    assert prefs["action_due"] == ("digest", True)
    assert prefs["deliverable_due"] == ("immediate", False)
    bad = client.post(
        "/notifications/preferences",
        data={"mode_action_due": "hourly", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422


def test_unsubscribe_link_works_without_login_and_only_with_a_valid_signature(
    app: Flask, client: FlaskClient, session: Session, make_user: Any
) -> None:
    user = make_user("viewer")
    token = delivery.unsubscribe_token(app.config["SECRET_KEY"], user.id, "action_due")
    url = f"/notifications/unsubscribe/{token}"
    page = client.get(url)
    assert page.status_code == 200 and "Action due" in page.text
    assert session.exec(select(NotificationPreference)).first() is None  # a GET only asks
    # One-click (RFC 8058): a mail client POSTs without any form token.
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    pref = session.exec(select(NotificationPreference)).one()
    assert (pref.user_id, pref.kind, pref.email_enabled) == (user.id, "action_due", False)
    assert client.get(url[:-3] + "abc").status_code == 404
    forged = delivery.unsubscribe_token("another-key", user.id, "action_due")
    assert client.post(f"/notifications/unsubscribe/{forged}").status_code == 404


def test_inbox_needs_login(client: FlaskClient) -> None:
    resp = client.get("/notifications")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")

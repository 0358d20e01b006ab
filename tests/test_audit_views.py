"""The audit log page, the chain check button and the history partial of entity pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import csrf_from, post_form
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlmodel import Session

from eagov.models import User
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.accounts import ProfileUpdate
from eagov.schemas.org import OrgUnitIn
from eagov.services import accounts, audit, org
from eagov.services.audit import history

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def unit(session: Session, actor: Actor, name: str, code: str | None = None) -> int:
    created = org.create_unit(
        session,
        actor,
        OrgUnitIn(name=name, code=code, kind="division"),  # type: ignore[arg-type]
    )
    assert created.id is not None
    return created.id


def rows(html: str) -> list[str]:
    """The seq numbers listed in the log table, in page order."""
    return re.findall(r'<tr id="event-(\d+)">', html)


def set_timezone(session: Session, user: User, tz: str) -> None:
    accounts.update_profile(session, Actor.of(user), ProfileUpdate(name=user.name, timezone=tz))


# --- access -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    resp = client.get("/audit/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    token = csrf_from(client.get("/login").text)
    resp = client.post("/audit/verify", data={"csrf_token": token})
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ["viewer", "architect", "contributor"])
def test_refuses_users_without_audit_read(client: FlaskClient, login_as, role: str) -> None:  # type: ignore[no-untyped-def]
    login_as(role)
    assert client.get("/audit/").status_code == 403
    token = csrf_from(client.get("/").text)
    assert client.post("/audit/verify", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("role", ["admin", "board_chair", "board_member", "review_coordinator"])
def test_governance_roles_may_read(client: FlaskClient, login_as, role: str) -> None:  # type: ignore[no-untyped-def]
    login_as(role)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "Audit log" in page.text


# --- the log ---------------------------------------------------------------------------------


def test_log_lists_newest_first_with_filters(
    client: FlaskClient, session: Session, login_as, make_user
) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    other = make_user("review_coordinator", email="coordinator@example.org")
    fin = unit(session, Actor.of(admin), "Finance", "FIN")
    unit(session, Actor.of(other), "Sales", "SAL")
    org.update_unit(
        session,
        Actor.of(other),
        fin,
        OrgUnitIn(name="Finance & Control", code="FIN", kind="division"),  # type: ignore[arg-type]
        1,
    )

    page = client.get("/audit/")
    assert page.status_code == 200
    seqs = [int(s) for s in rows(page.text)]
    assert seqs == sorted(seqs, reverse=True)
    assert "Finance &amp; Control" in page.text

    only_fin = client.get(f"/audit/?entity_type=org_unit&entity_id={fin}")
    assert len(rows(only_fin.text)) == 2  # created, updated
    assert "Sales" not in only_fin.text

    by_other = client.get("/audit/?actor=COORDINATOR@")  # part of the label, any case
    assert "coordinator@example.org" in by_other.text
    assert len(rows(by_other.text)) == 2  # Sales created, Finance renamed (not the admin's)
    assert "Sales" in by_other.text

    updates = client.get("/audit/?action=update")
    assert len(rows(updates.text)) == 1
    assert "Finance &amp; Control" in updates.text

    none = client.get("/audit/?actor=nobody%25")  # % is a literal, not a wildcard
    assert rows(none.text) == []
    assert "No events match these filters." in none.text


def test_rows_expand_to_before_and_after(client: FlaskClient, session: Session, login_as) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    uid = unit(session, Actor.of(admin), "Old name", "OLD")
    org.update_unit(
        session,
        Actor.of(admin),
        uid,
        OrgUnitIn(name="New name", code="OLD", kind="division"),  # type: ignore[arg-type]
        1,
    )
    html = client.get("/audit/?action=update").text
    details = html.split("<details>")[1].split("</details>")[0]
    assert "1 field" in details
    assert re.search(r'audit-before"[^>]*>Old name<', details)
    assert re.search(r'audit-after"[^>]*>New name<', details)


def test_log_pages_in_the_database(client: FlaskClient, session: Session, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    for i in range(12):
        audit.record(session, SYSTEM, "note", "thing", i, {"i": i})
    session.commit()
    first = client.get("/audit/?action=note&per_page=5")
    second = client.get("/audit/?action=note&per_page=5&page=2")
    last = client.get("/audit/?action=note&per_page=5&page=3")
    assert "Page 1 of 3" in first.text and "12 items" in first.text
    seqs = [int(s) for p in (first, second, last) for s in rows(p.text)]
    assert len(seqs) == 12 and len(set(seqs)) == 12
    assert seqs == sorted(seqs, reverse=True)
    assert len(rows(last.text)) == 2


def test_date_range_is_in_the_users_time_zone(
    client: FlaskClient, session: Session, login_as
) -> None:  # type: ignore[no-untyped-def]
    user = login_as("admin")
    set_timezone(session, user, "Asia/Shanghai")  # UTC+8
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    late = audit.record(session, SYSTEM, "note", "thing", 1, {}, now=at(2024, 3, 1, 17, 30))
    early = audit.record(session, SYSTEM, "note", "thing", 2, {}, now=at(2024, 3, 1, 15, 30))
    session.commit()

    march_2 = client.get("/audit/?action=note&from=2024-03-02&to=2024-03-02")
    assert rows(march_2.text) == [str(late.seq)]
    march_1 = client.get("/audit/?action=note&from=2024-03-01&to=2024-03-01")
    assert rows(march_1.text) == [str(early.seq)]
    from_only = client.get("/audit/?action=note&from=2024-03-02")
    assert rows(from_only.text) == [str(late.seq)]
    to_only = client.get("/audit/?action=note&to=2024-03-02")
    assert len(rows(to_only.text)) == 2
    # Shown in the user's zone too: 01:30 on 2 March.
    assert re.search(r"3/2/24,? 1:30", march_2.text)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_bad_dates_are_explained(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    resp = client.get("/audit/?from=yesterday")
    assert resp.status_code == 422
    assert "Enter a date as YYYY-MM-DD." in resp.text
    resp = client.get("/audit/?from=2024-05-02&to=2024-05-01")
    assert resp.status_code == 422
    assert "The end date is before the start date." in resp.text


def test_values_are_escaped_in_the_log(client: FlaskClient, session: Session, login_as) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    unit(session, Actor.of(admin), XSS)
    html = client.get("/audit/").text
    assert XSS_ESCAPED in html
    assert XSS not in html


def test_links_to_the_record_page_only_where_one_exists(
    app: Flask, client: FlaskClient, session: Session, login_as, make_user
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    target = make_user("viewer")
    html = client.get(f"/audit/?entity_type=user&entity_id={target.id}").text
    assert f'<a href="/admin/users/{target.id}">user #{target.id}</a>' in html

    uid = unit(session, SYSTEM, "Finance", "FIN")
    html = client.get("/audit/?entity_type=org_unit").text
    assert f"org unit #{uid}" in html
    if "org.unit" in app.view_functions:  # the unit page exists: linked
        with app.test_request_context():
            from flask import url_for

            assert f'<a href="{url_for("org.unit", unit_id=uid)}">org unit #{uid}</a>' in html
    else:  # not (yet): plain text, no broken link
        assert f"org unit #{uid}</a>" not in html


def test_user_links_are_hidden_from_who_cannot_open_them(
    client: FlaskClient, login_as, make_user
) -> None:  # type: ignore[no-untyped-def]
    login_as("board_chair")  # may read the audit log, may not manage users
    target = make_user("viewer")
    html = client.get(f"/audit/?entity_type=user&entity_id={target.id}").text
    assert f'href="/admin/users/{target.id}"' not in html
    assert f"user #{target.id}" in html


# --- the chain check button -------------------------------------------------------------------


def test_verify_button_reports_an_intact_chain(
    client: FlaskClient, session: Session, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("board_member")
    unit(session, SYSTEM, "Finance", "FIN")
    tip = audit.verify_chain(session).tip
    resp = post_form(client, "/audit/verify", {"actor": "sys"}, page="/audit/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/audit/?actor=sys")  # filters kept
    page = client.get(resp.headers["Location"]).text
    assert "Chain intact" in page
    assert tip in page


def test_verify_button_names_the_broken_event(
    client: FlaskClient, session: Session, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    for i in range(3):
        unit(session, SYSTEM, f"Unit {i}", f"U{i}")
    session.execute(sa.text("UPDATE audit_event SET actor_label = 'mallory' WHERE seq = 3"))
    session.commit()
    resp = post_form(client, "/audit/verify", {}, page="/audit/")
    page = client.get(resp.headers["Location"]).text
    assert "Chain BROKEN" in page
    assert "event 3 was changed after it was written" in page


def test_verify_button_checks_a_recorded_tip(
    client: FlaskClient, session: Session, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    for i in range(3):
        unit(session, SYSTEM, f"Unit {i}", f"U{i}")
    anchor = audit.verify_chain(session).tip

    page = client.get(
        post_form(client, "/audit/verify", {"anchor": anchor}, page="/audit/").headers["Location"]
    )
    assert "is still in it" in page.text

    session.execute(
        sa.text("DELETE FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event)")
    )
    session.commit()
    page = client.get(
        post_form(client, "/audit/verify", {"anchor": anchor}, page="/audit/").headers["Location"]
    )
    assert "the recorded tip hash is no longer in the chain" in page.text

    page = client.get(
        post_form(client, "/audit/verify", {"anchor": "not-a-hash"}, page="/audit/").headers[
            "Location"
        ]
    )
    assert "64 hexadecimal characters" in page.text


def test_verify_needs_a_csrf_token(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    assert client.post("/audit/verify").status_code == 400


def test_verify_refuses_get(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    assert client.get("/audit/verify").status_code == 405


# --- the history partial ----------------------------------------------------------------------


def render_history(app: Flask, session: Session, entity_type: str, entity_id: Any) -> str:
    """The partial as an entity page includes it."""
    with app.test_request_context("/"):
        return render_template_string(
            "{% set history = entity_history(t, i) %}{% include 'audit/_history.html' %}",
            t=entity_type,
            i=entity_id,
        )


def test_history_shows_before_and_after_escaped(app: Flask, session: Session) -> None:
    uid = unit(session, SYSTEM, XSS, "X1")
    org.update_unit(
        session,
        SYSTEM,
        uid,
        OrgUnitIn(name="Safe & sound", code="X1", kind="division"),  # type: ignore[arg-type]
        1,
    )
    html = render_history(app, session, "org_unit", uid)
    assert XSS not in html
    assert f'<del class="audit-before">{XSS_ESCAPED}</del>' in html
    assert '<ins class="audit-after">Safe &amp; sound</ins>' in html
    assert html.index("updated") < html.index("created")  # newest first
    assert "system" in html


def test_history_empty_state(app: Flask, session: Session) -> None:
    html = render_history(app, session, "org_unit", 12345)
    assert "No recorded changes yet." in html
    with app.test_request_context("/"):
        assert "No recorded changes yet." in render_template_string(
            "{% include 'audit/_history.html' %}"
        )


def test_history_helper_returns_newest_first(session: Session) -> None:
    uid = unit(session, SYSTEM, "A", "A")
    org.update_unit(session, SYSTEM, uid, OrgUnitIn(name="B", code="A", kind="division"), 1)  # type: ignore[arg-type]
    assert [e.action for e in history(session, "org_unit", uid)] == ["update", "create"]

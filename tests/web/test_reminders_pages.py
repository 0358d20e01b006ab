"""Reminder rule pages (list, forms, stale edits, toggles, defaults) and the scheduler admin
(job states, sweep now under the lease, failed e-mails with retry, the 30-day preview)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import count_statements, csrf_from, post_form
from contract_factory import activate, make_cast, make_contract
from sqlmodel import select

from eagov import scheduler as jobs
from eagov.models import Notification, ReminderRule, SchedulerState, utcnow
from eagov.permissions import SYSTEM
from eagov.schemas.reminders import RuleCreate
from eagov.services import reminders

RULES = "/admin/reminders/"


def add_rule(session, **over):
    values = {
        "kind": "deliverable_due",
        "name": "Deliverables soon",
        "offsets": [7, 1],
        "recipients": ["owner"],
        "overdue_every_days": 7,
    } | over
    return reminders.create_rule(session, SYSTEM, RuleCreate(**values))


def test_pages_need_login_and_permission(client, login_as):
    for url in (RULES, "/admin/reminders/new", "/admin/scheduler", "/admin/scheduler/preview"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login_as("viewer")
    assert client.get(RULES).status_code == 403
    assert client.get("/admin/scheduler").status_code == 403


def test_reader_sees_rules_without_edit_controls(client, session, login_as):
    rule = add_rule(session)
    login_as("architect")
    html = client.get(RULES).text
    assert rule.name in html and "every 7 days" in html and "Owner" in html
    assert "Restore defaults" not in html and "/delete" not in html
    assert client.get(f"/admin/reminders/{rule.id}").status_code == 403
    assert client.get("/admin/scheduler").status_code == 403
    # A form sent anyway is refused before it is read: no field messages for a reader.
    page = client.get(RULES).text
    sent = client.post(
        f"/admin/reminders/{rule.id}", data={"name": "", "csrf_token": csrf_from(page)}
    )
    assert sent.status_code == 403


def test_restore_defaults_adds_missing_kinds_once(client, session, login_as):
    login_as("review_coordinator")
    resp = post_form(client, "/admin/reminders/defaults", {}, page=RULES)
    assert resp.status_code == 302
    kinds = session.exec(select(ReminderRule.kind)).all()
    assert len(kinds) == len(set(kinds)) >= 10
    post_form(client, "/admin/reminders/defaults", {}, page=RULES)
    assert len(session.exec(select(ReminderRule.kind)).all()) == len(kinds)
    html = client.get(RULES).text
    assert "Periodic contract audit" in html and "every 3 months" in html


def test_create_rule_and_field_errors_keep_input(client, session, login_as):
    login_as("review_coordinator")
    url = "/admin/reminders/new?kind=contract_audit"
    bad = post_form(
        client,
        url,
        {"name": "Audit", "offsets": "7, x", "setting_months": "99", "channel": "email"},
    )
    assert bad.status_code == 422
    assert 'value="7, x"' in bad.text  # what was typed stays
    assert 'id="e-offsets"' in bad.text and 'id="e-recipients"' in bad.text
    ok = post_form(
        client,
        url,
        {
            "name": "Half-yearly audit",
            "offsets": "14, 0",
            "setting_months": "6",
            "recipients": ["sponsor", "board_chair"],
            "channel": "email",
            "enabled": "on",
        },
    )
    assert ok.status_code == 302, ok.text
    rule = session.exec(select(ReminderRule).where(ReminderRule.name == "Half-yearly audit")).one()
    assert rule.kind == "contract_audit"
    assert rule.offsets == [14, 0] and rule.settings == {"months": 6}
    assert rule.recipients == ["sponsor", "board_chair"] and rule.channel == "email"
    # A recipient the kind does not know is refused by the service, beside the field.
    wrong = post_form(client, url, {"name": "Audit", "offsets": "7", "recipients": ["attendees"]})
    assert wrong.status_code == 422 and 'id="e-recipients"' in wrong.text


def test_edit_rule_and_stale_version(client, session, login_as):
    rule = add_rule(session)
    login_as("admin")
    url = f"/admin/reminders/{rule.id}"
    page = client.get(url).text
    assert 'value="7, 1"' in page
    form = {
        "name": "Deliverables due",
        "offsets": "3",
        "overdue_every_days": "",
        "escalate_after_days": "10",
        "recipients": ["owner", "sponsor"],
        "channel": "in_app",
        "enabled": "on",
        "version": str(rule.version),
        "csrf_token": csrf_from(page),
    }
    assert client.post(url, data=form).status_code == 302
    session.refresh(rule)
    assert (rule.name, rule.offsets, rule.overdue_every_days) == ("Deliverables due", [3], None)
    assert rule.escalate_after_days == 10 and rule.channel == "in_app"
    # The same (now old) version again: refused, the typed values kept, the reason shown.
    stale = client.post(url, data=form | {"name": "Mine wins"})
    assert stale.status_code == 409
    assert "Someone else changed" in stale.text and 'value="Mine wins"' in stale.text
    session.refresh(rule)
    assert rule.name == "Deliverables due"


def test_toggle_and_delete(client, session, login_as):
    rule = add_rule(session)
    login_as("review_coordinator")
    resp = post_form(
        client,
        f"/admin/reminders/{rule.id}/enabled",
        {"enabled": "0", "version": rule.version},
        page=RULES,
    )
    assert resp.status_code == 302
    session.refresh(rule)
    assert not rule.enabled
    stale = post_form(
        client,
        f"/admin/reminders/{rule.id}/delete",
        {"version": rule.version - 1},
        page=RULES,
    )
    assert stale.status_code == 409
    post_form(client, f"/admin/reminders/{rule.id}/delete", {"version": rule.version}, page=RULES)
    assert session.exec(select(ReminderRule.id).where(ReminderRule.id == rule.id)).first() is None


def test_rules_list_runs_a_fixed_number_of_statements(app, client, session, login_as):
    login_as("admin")

    def statements() -> int:
        with count_statements(app) as seen:
            assert client.get(RULES).status_code == 200
        return len(seen)

    add_rule(session)
    one = statements()
    for i in range(10):
        add_rule(session, name=f"Rule {i}")
    assert statements() == one


def test_scheduler_status_shows_jobs_and_lease(client, session, login_as):
    now = utcnow()
    session.add(
        SchedulerState(
            job="deliver",
            last_started_at=now - timedelta(seconds=30),
            last_finished_at=now - timedelta(seconds=29),
            last_result={"sent": 4},
            last_error="SMTPServerDisconnected: gone",
        )
    )
    session.add(SchedulerState(job="digest:1", last_result={"day": "2026-11-26"}))
    session.commit()
    login_as("admin")
    html = client.get("/admin/scheduler").text
    for name in ("Reminder sweep", "E-mail delivery", "Daily digests", "Periodic contract audit"):
        assert name in html
    assert "sent: 4" in html and "SMTPServerDisconnected: gone" in html
    assert "digest:1" not in html  # digest bookkeeping is not a job
    assert "every 5 minutes" in html and "every 60 seconds" in html
    assert "every 60 minutes" in html  # the digest check


def test_sweep_now_runs_and_respects_the_lease(client, session, login_as):
    login_as("admin")
    resp = post_form(client, "/admin/scheduler/sweep", {}, page="/admin/scheduler")
    assert resp.status_code == 302
    state = session.get(SchedulerState, "sweep", populate_existing=True)
    assert state.last_result["manual"] is True and state.lease_owner is None
    assert state.last_finished_at is not None
    # The scheduler holds the lease: nothing runs, and the administrator is told.
    assert jobs.acquire_lease(session, "sweep", "sched-1", utcnow(), timedelta(minutes=5))
    before = state.last_finished_at
    busy = post_form(client, "/admin/scheduler/sweep", {}, page="/admin/scheduler")
    assert busy.status_code == 409
    assert "sweeping right now" in busy.text and "sched-1" in busy.text
    state = session.get(SchedulerState, "sweep", populate_existing=True)
    assert state.lease_owner == "sched-1" and state.last_finished_at == before


def test_failed_emails_listed_and_retried(client, session, login_as, make_user):
    user = make_user("architect")
    note = Notification(
        kind="action_due",
        subject_type="action",
        subject_id=1,
        occurrence="before:1:2026-12-01",
        user_id=user.id,
        due_at=datetime.now(UTC),
        title="Action due tomorrow",
        status="failed",
        attempts=5,
        last_error="SMTP 550 mailbox unavailable",
    )
    session.add(note)
    session.commit()
    login_as("admin")
    html = client.get("/admin/scheduler").text
    assert "Action due tomorrow" in html and "SMTP 550 mailbox unavailable" in html
    assert user.email in html
    resp = post_form(
        client, f"/admin/scheduler/failed/{note.id}/retry", {}, page="/admin/scheduler"
    )
    assert resp.status_code == 302
    session.refresh(note)
    assert note.status == "pending" and note.attempts == 0
    again = post_form(
        client, f"/admin/scheduler/failed/{note.id}/retry", {}, page="/admin/scheduler"
    )
    assert again.status_code == 409


@pytest.mark.parametrize("days_ahead", [10])
def test_preview_groups_by_day_and_kind(client, session, login_as, days_ahead):
    cast = make_cast(session)
    contract = activate(
        session,
        cast,
        make_contract(
            session, cast, window_end=(datetime.now(UTC) + timedelta(days=days_ahead)).date()
        ),
    )
    reminders.ensure_default_rules(session)
    login_as("admin")
    html = client.get("/admin/scheduler/preview").text
    assert "Contract ending" in html
    assert contract.reference in html or "Customer data platform" in html
    days = re.findall(r'<section class="mb-3" id="day-([0-9-]+)"', html)
    assert days == sorted(days) and len(days) >= 1


def test_contract_audits_partial_shows_failed_checks(app, session):
    from flask import render_template

    from eagov.services.contract_audits import run_audits

    cast = make_cast(session)
    contract = activate(session, cast, make_contract(session, cast))
    [audit] = run_audits(session, utcnow())
    with app.test_request_context("/"):
        html = render_template("contracts/_audits.html", audits=[audit])
        empty = render_template("contracts/_audits.html", audits=[])
    assert audit.period in html and "Failed" in html
    assert "Metrics without a measured value" in html and "Systems on the target platform" in html
    assert "Not audited yet" in empty
    assert contract.id

"""The scheduler process: `eagov scheduler` as a real subprocess, killed mid-run and
restarted without a mail going out twice; leases that keep a second scheduler off a job;
the CLI; and web workers that never start a scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from mail_server import SmtpServer, notify
from sqlalchemy import func
from sqlmodel import Session, select

from eagov.mail import message_id
from eagov.models import utcnow
from eagov.models.reminders import Notification, NotificationStatus, SchedulerState
from eagov.scheduler import DELIVER, acquire_lease, run_job

EAGOV = str(Path(sys.executable).parent / "eagov")
DELAY = 0.4  # seconds the test hook waits around each mail (half after the claim)


def _env(database_url: str, tmp_path: Path, smtp: SmtpServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EAGOV_")}
    env.update(
        EAGOV_DATABASE_URL=database_url,
        EAGOV_SECRET_KEY="scheduler-test",
        EAGOV_MAIL_ENABLED="true",
        EAGOV_SMTP_HOST="127.0.0.1",
        EAGOV_SMTP_PORT=str(smtp.port),
        EAGOV_BASE_URL="http://eagov.test",
        EAGOV_SCHEDULER_DELIVER_SECONDS="1",
        EAGOV_SCHEDULER_SWEEP_MINUTES="60",
        EAGOV_MAIL_SENDING_STALE_SECONDS="1",
        EAGOV_SCHEDULER_LEASE_SECONDS="2",
        EAGOV_TEST_SEND_DELAY_SECONDS=str(DELAY),
    )
    return env


def _start(env: dict[str, str], tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen([EAGOV, "scheduler"], env=env, stdout=log, stderr=log)


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_mid_run_and_restarted_every_notification_is_mailed_exactly_once(
    database_url: str, app: Flask, session: Session, make_user: Any, tmp_path: Path
) -> None:
    users = [make_user("architect") for _ in range(2)]
    now = utcnow()
    mine = [notify(session, users[i % 2], now - timedelta(minutes=1), n=i) for i in range(6)]

    def unsent() -> int:
        with Session(app.extensions["eagov.engine"]) as s:
            return int(
                s.exec(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.status != NotificationStatus.SENT)
                    .where(Notification.status != NotificationStatus.CANCELLED)
                    .where(Notification.email.is_(True))  # type: ignore[attr-defined]
                ).one()
            )

    with SmtpServer() as smtp:
        env = _env(database_url, tmp_path, smtp)
        first = _start(env, tmp_path, "first")
        try:
            _wait(lambda: smtp.collector.count() >= 2, 20, "the first mails")
            # Past the commit of the last mail, into the claim of the next one.
            time.sleep(DELAY * 0.75)
            first.send_signal(signal.SIGKILL)
            first.wait(5)
        finally:
            if first.poll() is None:
                first.kill()
        killed_at = smtp.collector.count()
        assert killed_at < len(mine), "the scheduler finished before it could be killed"

        second = _start(env, tmp_path, "second")
        try:
            _wait(lambda: unsent() == 0, 20, "every notification sent")
            second.send_signal(signal.SIGTERM)  # a graceful stop
            assert second.wait(10) == 0
        finally:
            if second.poll() is None:
                second.kill()

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)), "a notification was mailed twice"
    with Session(app.extensions["eagov.engine"]) as s:
        sent = s.exec(select(Notification).where(Notification.status == "sent")).all()
    assert {message_id(f"notification:{n.id}", "http://eagov.test") for n in sent} == set(ids)
    assert {n.id for n in mine} <= {n.id for n in sent}


def test_a_job_leased_by_another_scheduler_is_skipped_until_the_lease_expires(
    app: Flask, session: Session
) -> None:
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    calls: list[str] = []

    def job(_s: Session, _now: datetime) -> dict[str, Any]:
        calls.append("ran")
        return {"ok": 1}

    assert acquire_lease(session, DELIVER, "other-host:1", now, timedelta(minutes=15))
    assert not run_job(app, DELIVER, owner="me", now=now + timedelta(minutes=5), fn=job).ran
    assert calls == []
    later = run_job(app, DELIVER, owner="me", now=now + timedelta(minutes=16), fn=job)
    assert later.ran and calls == ["ran"]
    state = session.get(SchedulerState, DELIVER, populate_existing=True)
    assert state is not None
    assert (state.lease_owner, state.last_result, state.last_error) == (None, {"ok": 1}, "")


def test_a_failing_job_records_its_error_and_frees_the_lease(app: Flask, session: Session) -> None:
    def broken(_s: Session, _now: datetime) -> dict[str, Any]:
        raise RuntimeError("database on fire")

    outcome = run_job(app, "deliver", owner="me", fn=broken)
    assert outcome.ran and "database on fire" in outcome.error
    state = session.get(SchedulerState, "deliver")
    assert state is not None and state.lease_owner is None
    assert "database on fire" in state.last_error
    assert run_job(app, "deliver", owner="someone-else", fn=lambda s, n: {}).ran


def test_cli_sweep_now_and_status(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scheduler", "sweep-now"])
    assert result.exit_code == 0, result.output
    assert "sweep:" in result.output and "deliver:" in result.output
    # Mail is off by default: delivery says so instead of sending.
    assert "'disabled': True" in result.output
    status = runner.invoke(args=["scheduler", "status"])
    assert status.exit_code == 0, status.output
    assert "deliver" in status.output and "digest          never ran" in status.output


def test_web_workers_never_start_a_scheduler(tmp_path: Path) -> None:
    code = (
        "import sys; from eagov import create_app; create_app({'TESTING': True}); "
        "print('apscheduler' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EAGOV_")}
    env["EAGOV_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    env["EAGOV_INSTANCE_PATH"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("signum", [signal.SIGINT])
def test_the_scheduler_stops_cleanly_on_a_signal(
    database_url: str, app: Flask, tmp_path: Path, signum: int
) -> None:
    with SmtpServer() as smtp:
        proc = _start(_env(database_url, tmp_path, smtp), tmp_path, "stop")
        try:
            _wait(lambda: "started with jobs" in (tmp_path / "stop.log").read_text(), 20, "start")
            proc.send_signal(signum)
            assert proc.wait(10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "stopped" in (tmp_path / "stop.log").read_text()

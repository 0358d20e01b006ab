"""Two schedulers against one PostgreSQL database at once: every notification is mailed
exactly once, and a job runs in one of them only (advisory lock plus lease)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from mail_server import SmtpServer, notify
from sqlmodel import Session, select

from eagov.models import utcnow
from eagov.models.reminders import Notification
from eagov.scheduler import run_job
from eagov.services import delivery

pytestmark = pytest.mark.postgres


def _together(*targets: Any) -> list[Any]:
    """Run the callables in threads released at the same moment; their results in order."""
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def run(i: int, target: Any) -> None:
        try:
            start.wait()
            results[i] = target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_deliverers_at_once_mail_each_notification_exactly_once(
    app: Flask, app_factory: Any, session: Session, make_user: Any
) -> None:
    users = [make_user("architect") for _ in range(3)]
    now = utcnow()
    for i in range(24):
        notify(session, users[i % 3], now - timedelta(minutes=1), n=i)

    with SmtpServer() as smtp:
        # Two apps, two engines and connection pools: as two scheduler processes would have.
        apps = [app_factory(**smtp.config()) for _ in range(2)]

        def deliverer(a: Flask) -> Any:
            def go() -> Any:
                with a.app_context(), Session(a.extensions["eagov.engine"]) as s:
                    return delivery.deliver_due(s, now)

            return go

        first, second = _together(deliverer(apps[0]), deliverer(apps[1]))

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 24 and len(set(ids)) == 24
    assert first.sent + second.sent == 24
    statuses = set(session.exec(select(Notification.status)).all())
    assert statuses == {"sent"}


def test_a_job_runs_in_one_scheduler_only_when_two_start_it_at_once(
    app: Flask, app_factory: Any
) -> None:
    apps = [app_factory(), app_factory()]
    ran: list[str] = []

    def slow(_s: Session, _now: datetime) -> dict[str, Any]:
        ran.append("x")
        time.sleep(0.5)
        return {}

    outcomes = _together(
        lambda: run_job(apps[0], "deliver", owner="one", fn=slow),
        lambda: run_job(apps[1], "deliver", owner="two", fn=slow),
    )
    assert sorted(o.ran for o in outcomes) == [False, True]
    assert ran == ["x"]
    # Once it finished, the other scheduler may run it.
    assert run_job(apps[1], "deliver", owner="two", fn=lambda s, n: {}).ran

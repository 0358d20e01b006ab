"""The scheduler process (``eagov scheduler``): APScheduler 3 with an in-memory job store,
its jobs defined here and their timing taken from the config. Web workers never start it.

Every job sweeps database state, so a restart is harmless: nothing is remembered in the job
store. Each run records itself in ``SchedulerState`` and holds a lease on its row (taken with
a conditional UPDATE), so a second scheduler started by mistake skips a job that the first is
running; on PostgreSQL a session advisory lock per job backs the lease up. The claim of each
notification (services.delivery) is what finally keeps a mail from going out twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, update

from .models import utcnow
from .models.reminders import SchedulerState
from .permissions import SYSTEM

log = logging.getLogger("eagov.scheduler")

JobFn = Callable[[Session, datetime], dict[str, Any]]

SWEEP, DELIVER, DIGEST, EXPIRE, CONTRACT_AUDIT = (
    "sweep",
    "deliver",
    "digest",
    "expire",
    "contract_audit",
)
# A running job renews its lease every third of this; a scheduler that died loses it after
# at most this long, and the job runs again in the one that is left.
DEFAULT_LEASE_SECONDS = 120


# --- the jobs ----------------------------------------------------------------------------------


def _summary(value: Any) -> Any:
    """A JSON-friendly summary of what a service returned, for SchedulerState.last_result."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, dict):
        return {str(k): _summary(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return len(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def job_sweep(session: Session, now: datetime) -> dict[str, Any]:
    """Create the reminders that came due, then e-mail them."""
    from .services import delivery, reminders

    swept = reminders.sweep(session, now)
    delivered = delivery.deliver_due(session, now)
    return {"sweep": _summary(swept), "deliver": delivered.as_dict()}


def job_deliver(session: Session, now: datetime) -> dict[str, Any]:
    from .services import delivery

    return delivery.deliver_due(session, now).as_dict()


def job_digest(session: Session, now: datetime) -> dict[str, Any]:
    from .services import delivery

    return delivery.send_digests(session, now).as_dict()


def job_expire(session: Session, now: datetime) -> dict[str, Any]:
    from .services import contracts, dispensations

    today = now.date()
    return {
        "contracts": contracts.expire_due(session, SYSTEM, today),
        "dispensations": dispensations.expire_due(session, SYSTEM, today),
    }


def job_contract_audit(session: Session, now: datetime) -> dict[str, Any]:
    from .services import contract_audits

    return {"audits": len(contract_audits.run_audits(session, now))}


JOBS: dict[str, JobFn] = {
    SWEEP: job_sweep,
    DELIVER: job_deliver,
    DIGEST: job_digest,
    EXPIRE: job_expire,
    CONTRACT_AUDIT: job_contract_audit,
}


# --- one run of a job: lease, advisory lock, state --------------------------------------------


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Outcome:
    job: str
    ran: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def run_job(
    app: Flask,
    job: str,
    *,
    owner: str | None = None,
    now: datetime | None = None,
    fn: JobFn | None = None,
) -> Outcome:
    """Run one job now, unless another scheduler holds it. Never raises: a failure is logged
    and kept in SchedulerState.last_error."""
    owner = owner or owner_name()
    fn = fn or JOBS[job]
    with app.app_context():
        engine: sa.Engine = app.extensions["eagov.engine"]
        lease = timedelta(
            seconds=float(app.config.get("SCHEDULER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
        )
        with _advisory_lock(engine, job) as locked:
            if not locked:
                log.info("job %s: running in another scheduler, skipped", job)
                return Outcome(job, ran=False)
            with Session(engine, expire_on_commit=False) as session:
                started = now or utcnow()
                if not acquire_lease(session, job, owner, started, lease):
                    log.info("job %s: leased by another scheduler, skipped", job)
                    return Outcome(job, ran=False)
                log.info("job %s: started", job)
                try:
                    with _renewing(engine, job, owner, lease):
                        result = _summary(fn(session, now or utcnow()))
                except Exception as exc:
                    session.rollback()
                    log.exception("job %s failed", job)
                    error = f"{type(exc).__name__}: {exc}"
                    release_lease(session, job, owner, utcnow(), error=error)
                    return Outcome(job, ran=True, error=error)
                release_lease(session, job, owner, utcnow(), result=result)
                log.info("job %s: finished %s", job, result)
                return Outcome(job, ran=True, result=result)


def acquire_lease(session: Session, job: str, owner: str, now: datetime, lease: timedelta) -> bool:
    """Take the job's row for ``lease`` unless someone else holds an unexpired lease."""
    if session.get(SchedulerState, job) is None:
        session.add(SchedulerState(job=job))
        try:
            session.commit()
        except IntegrityError:  # another scheduler created it at the same moment
            session.rollback()
    res: Any = session.execute(
        update(SchedulerState)
        .where(
            col(SchedulerState.job) == job,
            sa.or_(
                col(SchedulerState.lease_owner).is_(None),
                col(SchedulerState.lease_until) < now,
                col(SchedulerState.lease_owner) == owner,
            ),
        )
        .values(lease_owner=owner, lease_until=now + lease, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(res.rowcount == 1)


@contextmanager
def _renewing(engine: sa.Engine, job: str, owner: str, lease: timedelta) -> Iterator[None]:
    """Keep the lease alive while a long job runs (on a session of its own)."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                with Session(engine) as s:
                    s.execute(
                        update(SchedulerState)
                        .where(
                            col(SchedulerState.job) == job,
                            col(SchedulerState.lease_owner) == owner,
                        )
                        .values(lease_until=utcnow() + lease)
                    )
                    s.commit()
            except Exception:
                log.exception("job %s: renewing the lease failed", job)

    beat = threading.Thread(target=renew, name=f"lease-{job}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()


def release_lease(
    session: Session,
    job: str,
    owner: str,
    now: datetime,
    *,
    result: dict[str, Any] | None = None,
    error: str = "",
) -> None:
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_until": None,
        "last_finished_at": now,
        "last_error": error[:4000],
    }
    if result is not None:
        values["last_result"] = result
    session.execute(
        update(SchedulerState)
        .where(col(SchedulerState.job) == job, col(SchedulerState.lease_owner) == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _lock_key(job: str) -> int:
    digest = hashlib.sha256(f"eagov.scheduler.{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _advisory_lock(engine: sa.Engine, job: str) -> Iterator[bool]:
    """PostgreSQL: hold a session advisory lock for the job on a connection of its own for
    the whole run (the job commits several times, so a transaction lock would not last).
    The server drops it when the process dies. Elsewhere: always granted (the lease rules)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = _lock_key(job)
    with engine.connect() as conn:
        locked = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield locked
        finally:
            if locked:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


# --- the process -------------------------------------------------------------------------------


def build_scheduler(app: Flask, owner: str | None = None) -> Any:
    """A BlockingScheduler with the jobs and their timing from the config."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    owner = owner or owner_name()
    cfg = app.config
    scheduler = BlockingScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC",
    )
    now = datetime.now(tz=scheduler.timezone)

    def add(job: str, trigger: str, **timing: Any) -> None:
        scheduler.add_job(
            run_job, trigger, args=(app, job), kwargs={"owner": owner}, id=job, name=job, **timing
        )

    # The interval jobs also run once at start-up: catching up after downtime starts at once.
    add(SWEEP, "interval", minutes=float(cfg["SCHEDULER_SWEEP_MINUTES"]), next_run_time=now)
    add(DELIVER, "interval", seconds=float(cfg["SCHEDULER_DELIVER_SECONDS"]), next_run_time=now)
    # Hourly: each user's digest goes once their own clock passes SCHEDULER_DIGEST_HOUR.
    digest_every = float(cfg.get("SCHEDULER_DIGEST_CHECK_SECONDS", 3600))
    add(DIGEST, "interval", seconds=digest_every, next_run_time=now)
    hour = int(cfg["SCHEDULER_DAILY_HOUR_UTC"])
    add(EXPIRE, "cron", hour=hour, minute=0)
    # run_audits decides whether a period is due; asking daily catches up after downtime.
    add(CONTRACT_AUDIT, "cron", hour=hour, minute=15)
    return scheduler


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("eagov")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_forever(app: Flask) -> None:
    """Run until SIGTERM or SIGINT; a running job finishes its current step first."""
    owner = owner_name()
    with app.app_context():
        from .db import engine
        from .services.reminders import ensure_default_rules

        with Session(engine(), expire_on_commit=False) as session:
            # A fresh installation starts with the shipped rules (a kind whose rule was
            # deleted gets its default back; switching a rule off is how to silence it).
            ensure_default_rules(session)
    scheduler = build_scheduler(app, owner)

    from apscheduler.events import EVENT_SCHEDULER_STARTED

    def shut_down(signum: int) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        for _ in range(600):  # a signal during start-up: wait until there is a loop to stop
            if scheduler.running:
                break
            time.sleep(0.05)
        # Running jobs finish their current step; the process exits when they are done.
        scheduler.shutdown(wait=False)

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Nothing that takes a lock here: the main thread may hold it (the executor's, the
        # logging handler's). Another thread does the work.
        threading.Thread(target=shut_down, args=(signum,), daemon=True).start()

    def started(_event: Any) -> None:
        log.info("scheduler %s started with jobs: %s", owner, ", ".join(JOBS))

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()
    log.info("scheduler %s stopped", owner)

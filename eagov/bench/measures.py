"""The measures of the benchmark suite. Each returns plain numbers; the runner writes them up."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

DEMO_ADMIN = "admin@demo.eagov.example"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    api: bool = False


def targets(contract_id: int, review_id: int, assessment_id: int) -> list[Target]:
    """The pages and API lists measured (ids from the generated data)."""
    return [
        Target("dashboard", "/"),
        Target("contract list", "/contracts/"),
        Target("contract page", f"/contracts/{contract_id}"),
        Target("review workspace", f"/reviews/{review_id}/workspace"),
        Target("maturity report", f"/maturity/{assessment_id}"),
        Target("org chart", "/org/chart"),
        Target("review list", "/reviews/"),
        Target("API contracts", "/api/v1/contracts", api=True),
        Target("API reviews", "/api/v1/reviews", api=True),
        Target("API requests", "/api/v1/requests", api=True),
        Target("API deliverables", "/api/v1/deliverables", api=True),
        Target("API people", "/api/v1/people", api=True),
        Target("API audit events", "/api/v1/audit-events", api=True),
        Target("API review items", f"/api/v1/reviews/{review_id}/items", api=True),
    ]


def api_secret(app: Flask, email: str = DEMO_ADMIN) -> str:
    from sqlmodel import select

    from ..models import User
    from ..permissions import SYSTEM
    from ..schemas.accounts import TokenCreate
    from ..services import accounts

    with app.app_context(), Session(app.extensions["eagov.engine"]) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        _tok, secret = accounts.create_token(s, SYSTEM, TokenCreate(name="bench"), user_id=user.id)
    return secret


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("login page without a CSRF token")
    return match.group(1)


# --- SQL statements per request -----------------------------------------------------------------


def sql_counts(app: Flask, measured: list[Target], secret: str) -> dict[str, int]:
    """Statements each target runs, counted in-process with the test client (signed in as the
    demo administrator; the API with a token). The second request is counted: the first one
    warms per-process caches."""
    from ..demo import DEMO_PASSWORD

    eng = app.extensions["eagov.engine"]
    client = app.test_client()
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"email": DEMO_ADMIN, "password": DEMO_PASSWORD, "csrf_token": _csrf(page.text)},
    )
    if resp.status_code != 302:
        raise RuntimeError(f"benchmark login failed: {resp.status_code}")
    headers = {"Authorization": f"Bearer {secret}"}
    out: dict[str, int] = {}
    for t in measured:
        seen: list[str] = []

        def before(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            seen.append(statement)  # noqa: B023 - listener removed before the next target

        for _attempt in range(2):
            seen.clear()
            sa.event.listen(eng, "before_cursor_execute", before)
            try:
                r = client.get(t.path, headers=headers if t.api else None)
            finally:
                sa.event.remove(eng, "before_cursor_execute", before)
            if r.status_code != 200:
                raise RuntimeError(f"{t.path} answered {r.status_code}")
        out[t.name] = len(seen)
    return out


# --- HTTP under gunicorn --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(database_url: str, instance: Path, secret_key: str, workers: int = 2) -> Iterator[str]:
    """A gunicorn serving the app on loopback; yields its base URL."""
    import requests

    port = _free_port()
    env = {
        **os.environ,
        "EAGOV_DATABASE_URL": database_url,
        "EAGOV_SECRET_KEY": secret_key,
        "EAGOV_SESSION_COOKIE_SECURE": "false",
        "EAGOV_REMEMBER_COOKIE_SECURE": "false",
    }
    app_spec = f"eagov:create_app({{'INSTANCE_PATH': {str(instance)!r}}})"
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        env=env,
        cwd=str(ROOT),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http_login(base: str) -> dict[str, str]:
    """Cookies of a signed-in session of the demo administrator."""
    import requests

    from ..demo import DEMO_PASSWORD

    s = requests.Session()
    page = s.get(f"{base}/login", timeout=30)
    r = s.post(
        f"{base}/login",
        data={"email": DEMO_ADMIN, "password": DEMO_PASSWORD, "csrf_token": _csrf(page.text)},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302:
        raise RuntimeError(f"benchmark login over HTTP failed: {r.status_code}")
    return {k: v or "" for k, v in s.cookies.get_dict().items()}


def _fetcher(base: str, cookies: dict[str, str], secret: str) -> Callable[[Target], Any]:
    import requests

    s = requests.Session()
    s.cookies.update(cookies)
    auth = {"Authorization": f"Bearer {secret}"}

    def get(t: Target) -> Any:
        r = s.get(base + t.path, headers=auth if t.api else None, timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"{t.path} answered {r.status_code}")
        return r

    return get


def rate(
    base: str, t: Target, cookies: dict[str, str], secret: str, *, seconds: float, clients: int
) -> float:
    """Requests per second with ``clients`` concurrent clients for ``seconds``."""
    done = [0] * clients
    errors: list[BaseException] = []
    stop = time.perf_counter() + seconds

    def work(k: int) -> None:
        get = _fetcher(base, cookies, secret)
        try:
            while time.perf_counter() < stop:
                get(t)
                done[k] += 1
        except BaseException as exc:  # reported after the join
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{t.path}: {errors[0]}")
    return sum(done) / elapsed


def latency(base: str, t: Target, cookies: dict[str, str], secret: str, runs: int) -> float:
    """Median seconds of ``runs`` sequential requests (after two warm-ups)."""
    get = _fetcher(base, cookies, secret)
    for _ in range(2):
        get(t)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        get(t)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- Word document -------------------------------------------------------------------------


def docx_ratio(runs: int = 5) -> dict[str, float]:
    """bench/docx_bench.py in a process of its own: eagov's builder against bare python-docx."""
    out = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "docx_bench.py"), "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(ROOT),
    ).stdout
    medians = dict(re.findall(r"(eagov|bare)\s+median\s+([\d.]+) ms", out))
    return {
        "eagov_ms": float(medians["eagov"]),
        "bare_ms": float(medians["bare"]),
        "ratio": float(medians["eagov"]) / float(medians["bare"]),
    }


# --- audit verify ---------------------------------------------------------------------------------


def audit_ratio(app: Flask) -> dict[str, float]:
    """``verify_chain`` against hashlib SHA-256 over the same canonical bytes.

    Also timed: reading the rows alone, and read + canonical JSON + hash written as a plain
    loop (the least any verification in Python has to do).
    """
    from ..models import AuditEvent
    from ..services.audit import _COLUMNS, as_utc, verify_chain

    eng = app.extensions["eagov.engine"]
    with app.app_context(), Session(eng) as s:
        start = time.perf_counter()
        report = verify_chain(s)
        verify = time.perf_counter() - start
        if not report.ok:
            raise RuntimeError(f"audit chain broken: {report.problem}")
        table = sa.inspect(AuditEvent).local_table
        start = time.perf_counter()
        rows = s.execute(sa.select(*[table.c[c] for c in _COLUMNS]).order_by(table.c.seq)).all()
        read = time.perf_counter() - start
        start = time.perf_counter()
        payloads = [
            json.dumps(
                {
                    "seq": r[0],
                    "prev": r[1],
                    "at": as_utc(r[3]).isoformat(),
                    "actor_id": r[4],
                    "actor": r[5],
                    "action": r[6],
                    "entity_type": r[7],
                    "entity_id": r[8],
                    "changes": r[9],
                },
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
            ).encode()
            for r in rows
        ]
        canonical = time.perf_counter() - start
    start = time.perf_counter()
    for p in payloads:
        hashlib.sha256(p).hexdigest()
    sha = time.perf_counter() - start
    events = report.checked
    return {
        "events": events,
        "bytes": sum(len(p) for p in payloads),
        "verify_s": verify,
        "sha_s": sha,
        "read_s": read,
        "canonical_s": canonical,
        "ratio": sha / verify,
        "ratio_vs_floor": (read + canonical + sha) / verify,
        "verify_events_per_s": events / verify,
    }


# --- reminder sweep ------------------------------------------------------------------------


def sweep_ratio(workdir: Path, due: int = 50, factor: int = 100, runs: int = 5) -> dict[str, float]:
    """Sweep time with ``factor`` times more not-due deliverables than due ones, against the
    time with none, on a database of its own (so nothing else is due)."""
    import uuid

    from .. import create_app
    from ..models import (
        Board,
        Contract,
        ContractVersion,
        Deliverable,
        Notification,
        OrgUnit,
        Person,
        SchedulerState,
        User,
        UserRole,
    )
    from ..services import reminders
    from .datagen import create_schema, table_of

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'sweep.db'}",
            "SECRET_KEY": uuid.uuid4().hex,
            "INSTANCE_PATH": str(workdir / "sweep-instance"),
        }
    )
    create_schema(app)
    eng = app.extensions["eagov.engine"]
    now = datetime(2030, 6, 1, 12, tzinfo=UTC)
    today = now.date()
    with eng.begin() as conn:
        conn.execute(
            table_of(User).insert(),
            [
                {
                    "id": 1,
                    "email": "owner@bench.example",
                    "name": "Owner",
                    "is_active": True,
                    "session_epoch": 1,
                    "created_at": now,
                    "version": 1,
                }
            ],
        )
        conn.execute(table_of(UserRole).insert(), [{"user_id": 1, "role": "architect"}])
        conn.execute(
            table_of(OrgUnit).insert(),
            [
                {
                    "id": 1,
                    "name": "EA",
                    "kind": "function",
                    "description": "",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            ],
        )
        conn.execute(
            table_of(Person).insert(),
            [
                {
                    "id": 1,
                    "name": "Owner",
                    "email": "owner@bench.example",
                    "phone": "",
                    "org_unit_id": 1,
                    "user_id": 1,
                    "created_at": now,
                    "version": 1,
                }
            ],
        )
        conn.execute(
            table_of(Board).insert(),
            [
                {
                    "id": 1,
                    "name": "Board",
                    "level": "global",
                    "quorum": 3,
                    "description": "",
                    "version": 1,
                }
            ],
        )
        conn.execute(
            table_of(Contract).insert(),
            [
                {
                    "id": 1,
                    "reference": "AC-2030-0001",
                    "year": 2030,
                    "number": 1,
                    "type": "soaw",
                    "status": "active",
                    "board_id": 1,
                    "effective_version": 1,
                    "latest_version": 1,
                    "created_at": now,
                    "close_reason": "",
                    "version": 1,
                }
            ],
        )
        conn.execute(
            table_of(ContractVersion).insert(),
            [
                {
                    "id": 1,
                    "contract_id": 1,
                    "number": 1,
                    "state": "signed",
                    "title": "Sweep",
                    "architecture_unit_id": 1,
                    "partner_name": "",
                    "sponsor_id": 1,
                    "lead_architect_id": 1,
                    # The contract's own end is far away, so only the deliverables are due.
                    "window_start": today - timedelta(days=100),
                    "window_end": date(2040, 1, 1),
                    "sections": {},
                    "conformance_requirements": "",
                    "principles": [],
                    "standards": [],
                    "risks": [],
                    "change_summary": "",
                    "created_at": now,
                    "version": 1,
                }
            ],
        )

    def deliverables(first: int, n: int, due_on: Callable[[int], date]) -> list[dict[str, Any]]:
        return [
            {
                "version_id": 1,
                "lineage": str(uuid.UUID(int=first + i)),
                "position": first + i,
                "title": f"D{first + i}",
                "phase": "b_business",
                "kind": "Document",
                "owner_id": 1,
                "due_date": due_on(i),
                "acceptance_criteria": "",
                "status": "planned",
                "status_note": "",
                "evidence_link": "",
                "version": 1,
            }
            for i in range(n)
        ]

    def timed() -> tuple[float, int]:
        times, created = [], 0
        for _ in range(runs):
            with eng.begin() as conn:
                conn.execute(sa.delete(table_of(Notification)))
                conn.execute(sa.delete(table_of(SchedulerState)))
            with app.app_context(), Session(eng) as s:
                start = time.perf_counter()
                result = reminders.sweep(s, now, lookback_from=now - timedelta(hours=23))
                times.append(time.perf_counter() - start)
                created = result.created
        return statistics.median(times), created

    with app.app_context(), Session(eng) as s:
        reminders.ensure_default_rules(s)
        s.commit()
    with eng.begin() as conn:
        # Due today: the rule's day-0 reminder falls inside the swept span.
        conn.execute(table_of(Deliverable).insert(), deliverables(0, due, lambda i: today))
    base, created_base = timed()
    with eng.begin() as conn:
        rows = deliverables(due, due * factor, lambda i: today + timedelta(days=400 + i % 1000))
        for k in range(0, len(rows), 5000):
            conn.execute(table_of(Deliverable).insert(), rows[k : k + 5000])
    loaded, created_loaded = timed()
    eng.dispose()
    return {
        "due": due,
        "not_due": due * factor,
        "none_s": base,
        "with_s": loaded,
        "created_none": created_base,
        "created_with": created_loaded,
        "ratio": loaded / base,
    }

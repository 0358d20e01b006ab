"""Load and soak run: gunicorn on loopback, driven at saturation, checked for errors and leaks.

Builds a throwaway SQLite database with the demo data, starts ``gunicorn 'eagov:create_app()'``
with sync workers (as deployed, max_requests off so workers are never recycled), signs in,
then lets a few client threads request a mix of pages and API lists back to back for the
given time. Every status code is recorded; the resident memory of the workers is summed
after a warm-up and again at the end.

    .venv/bin/python scripts/soak.py                 # 120 s, 2 workers, 4 clients
    .venv/bin/python scripts/soak.py --seconds 600 --workers 4 --clients 8

Exit status 1 when a response was not the expected status or memory grew by the limit or
more. tests/test_soak.py runs the same thing when EAGOV_TEST_SOAK=1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN = "admin@demo.eagov.example"
SAMPLE_EVERY = 15.0  # seconds between worker RSS samples after the warm-up
PASSWORD = "demo-password"  # noqa: S105  the demo data's published password

# Pages (session cookie) and API lists (bearer token). ``{contract}`` etc. are filled with
# the first id the API lists, so the item pages hit real rows.
PAGES = [
    "/",
    "/contracts/",
    "/contracts/{contract}",
    "/contracts/deliverables",
    "/reviews/",
    "/reviews/{review}",
    "/meetings/",
    "/decisions/",
    "/actions/",
    "/requests/",
    "/kpis/",
    "/maturity/",
    "/calendar/",
    "/org/chart",
    "/notifications",
]
API = [
    "/api/v1/contracts",
    "/api/v1/contracts/{contract}",
    "/api/v1/reviews",
    "/api/v1/meetings",
    "/api/v1/decisions",
    "/api/v1/actions",
    "/api/v1/requests",
    "/api/v1/deliverables",
    "/api/v1/maturity-assessments",
    "/api/v1/kpis",
    "/api/v1/people",
    "/api/v1/audit-events",
]


# (seconds since the start when the request was sent, seconds it took), one per request.
Latencies = list[tuple[float, float]]
# (seconds since the start, summed RSS of the workers in bytes)
RssSamples = list[tuple[float, int]]


@dataclass
class Result:
    seconds: float
    requests: int
    statuses: Counter[int]
    unexpected: Counter[tuple[str, int]]
    latencies: Latencies
    warmup: float
    rss_warm: int
    rss_end: int
    workers_start: list[int]
    workers_end: list[int]
    transport_errors: Counter[str] = field(default_factory=Counter)
    rss_samples: RssSamples = field(default_factory=list)

    @property
    def growth(self) -> float:
        return (self.rss_end - self.rss_warm) / self.rss_warm

    def steady(self) -> list[float]:
        """Durations of the requests sent after the warm-up (cold templates and caches out)."""
        return sorted(d for t, d in self.latencies if t >= self.warmup)

    @staticmethod
    def percentile(ordered: list[float], p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def _line(self, label: str, ordered: list[float], seconds: float) -> str:
        ms = [1000 * self.percentile(ordered, p) for p in (50, 95, 99)] + [1000 * ordered[-1]]
        return (
            f"{label}: {len(ordered)} requests in {seconds:.1f} s = "
            f"{len(ordered) / seconds:.1f} requests/s; latency ms p50 {ms[0]:.1f}  "
            f"p95 {ms[1]:.1f}  p99 {ms[2]:.1f}  max {ms[3]:.1f}"
        )

    def ok(self, max_growth: float) -> bool:
        return (
            not self.unexpected
            and not self.transport_errors
            and self.workers_start == self.workers_end
            and self.growth < max_growth
        )

    def report(self) -> str:
        mib = 1024 * 1024
        lines = []
        if self.latencies:
            lines.append(
                self._line("whole run", sorted(d for _, d in self.latencies), self.seconds)
            )
        steady = self.steady()
        if steady:
            lines.append(self._line("after warm-up", steady, self.seconds - self.warmup))
        lines += [
            "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
            f"worker RSS: {self.rss_warm / mib:.1f} MiB after warm-up, "
            f"{self.rss_end / mib:.1f} MiB at the end ({100 * self.growth:+.1f}%)",
            "worker RSS trend (s: MiB): "
            + ", ".join(f"{t:.0f}: {rss / mib:.1f}" for t, rss in self.rss_samples),
            f"workers: {self.workers_start} -> {self.workers_end}",
        ]
        for (path, status), n in sorted(self.unexpected.items()):
            lines.append(f"UNEXPECTED {status} x{n}: {path}")
        for err, n in sorted(self.transport_errors.items()):
            lines.append(f"TRANSPORT ERROR x{n}: {err}")
        return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EAGOV_DATABASE_URL=f"sqlite:///{workdir / 'soak.db'}",
        EAGOV_SECRET_KEY=secrets.token_urlsafe(32),
        EAGOV_EVIDENCE_DIR=str(workdir / "evidence"),
        EAGOV_MAIL_ENABLED="false",
    )
    return env


def eagov(env: dict[str, str], *args: str) -> str:
    # A fixed argument list to our own venv's command: nothing untrusted reaches a shell.
    done = subprocess.run(  # noqa: S603
        [BIN / "eagov", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode:
        raise RuntimeError(f"eagov {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo and return an API token for the admin."""
    eagov(env, "db", "upgrade")
    eagov(env, "demo", "load")
    return eagov(env, "token", "create", ADMIN, "--name", "soak").strip().splitlines()[-1]


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603  fixed arguments, see prepare()
            [
                BIN / "gunicorn",
                "eagov:create_app()",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--max-requests",
                "0",  # never recycle: a leak must show, not be hidden by restarts
                "--timeout",
                "60",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(worker_pids(proc)) == workers:
                return proc
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    return sorted(c.pid for c in psutil.Process(proc.pid).children())


def workers_rss(pids: list[int]) -> int:
    return sum(psutil.Process(pid).memory_info().rss for pid in pids)


class Client:
    """One keep-alive connection (reopened when sync workers close it) with a cookie jar."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.token = token

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, api: bool = False
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {"Connection": "keep-alive"}
        if api and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if not api:
            for raw in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return resp.status, payload, resp

    def close(self) -> None:
        self.conn.close()

    def sign_in(self) -> None:
        status, page, _ = self.request("GET", "/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"no sign-in form (status {status})")
        status, _, resp = self.request(
            "POST",
            "/login",
            {"csrf_token": match.group(1).decode(), "email": ADMIN, "password": PASSWORD},
        )
        if status != 302 or "/login" in (resp.getheader("Location") or ""):
            raise RuntimeError(f"sign-in refused (status {status})")


def targets(port: int, token: str) -> list[tuple[str, bool]]:
    """The URL mix with real ids; each must answer 200 once before the run starts."""
    api, page = Client(port, token), Client(port, token)
    try:
        ids = {}
        for key, path in (("contract", "/api/v1/contracts"), ("review", "/api/v1/reviews")):
            status, body, _ = api.request("GET", path + "?per_page=1", api=True)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            ids[key] = json.loads(body)["items"][0]["id"]
        mix = [(p.format(**ids), False) for p in PAGES] + [(p.format(**ids), True) for p in API]
        page.sign_in()
        for path, is_api in mix:
            status, _, _ = (api if is_api else page).request("GET", path, api=is_api)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} before the run")
    finally:
        api.close()
        page.close()
    return mix


def drive(
    port: int,
    token: str,
    mix: list[tuple[str, bool]],
    seconds: float,
    warmup: float,
    clients: int,
    pids: list[int],
) -> tuple[Counter[int], Counter[tuple[str, int]], Counter[str], Latencies, RssSamples, float]:
    statuses: Counter[int] = Counter()
    unexpected: Counter[tuple[str, int]] = Counter()
    transport: Counter[str] = Counter()
    latencies: Latencies = []
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + seconds

    def worker(offset: int) -> None:
        client = Client(port, token)
        i = offset
        local: list[tuple[str, int, float, float]] = []
        errors: Counter[str] = Counter()
        try:
            client.sign_in()
            while time.monotonic() < stop_at:
                path, is_api = mix[i % len(mix)]
                i += 1
                sent = time.monotonic() - start
                t0 = time.perf_counter()
                try:
                    status, _, _ = client.request("GET", path, api=is_api)
                except (OSError, http.client.HTTPException) as exc:
                    errors[f"{path}: {type(exc).__name__}: {exc}"] += 1
                    client.close()
                    continue
                local.append((path, status, sent, time.perf_counter() - t0))
        except Exception as exc:  # a failed sign-in must fail the run, not vanish in a thread
            errors[f"client {offset}: {type(exc).__name__}: {exc}"] += 1
        finally:
            client.close()
        with lock:
            transport.update(errors)
            for path, status, sent, elapsed in local:
                statuses[status] += 1
                latencies.append((sent, elapsed))
                if status != 200:
                    unexpected[(path, status)] += 1

    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start + warmup - time.monotonic()))
    # The warm-up sample is the baseline; the later ones show the trend in the report.
    samples: RssSamples = [(time.monotonic() - start, workers_rss(pids))]
    while threads[0].is_alive():
        threads[0].join(timeout=samples[-1][0] + SAMPLE_EVERY - (time.monotonic() - start))
        if time.monotonic() < stop_at - 1:
            samples.append((time.monotonic() - start, workers_rss(pids)))
    for t in threads:
        t.join()
    return statuses, unexpected, transport, latencies, samples, time.monotonic() - start


def run(seconds: float = 120, warmup: float = 15, workers: int = 2, clients: int = 4) -> Result:
    with tempfile.TemporaryDirectory(prefix="eagov-soak-") as tmp:
        workdir = Path(tmp)
        env = server_env(workdir)
        token = prepare(env)
        port = free_port()
        proc = start_gunicorn(env, port, workers, workdir / "gunicorn.log")
        try:
            pids = worker_pids(proc)
            mix = targets(port, token)
            statuses, unexpected, transport, latencies, samples, elapsed = drive(
                port, token, mix, seconds, warmup, clients, pids
            )
            rss_end = workers_rss(pids)
            end_pids = worker_pids(proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log = (workdir / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in log:
            print(log, file=sys.stderr)
        return Result(
            seconds=elapsed,
            requests=len(latencies),
            statuses=statuses,
            unexpected=unexpected,
            latencies=latencies,
            warmup=warmup,
            rss_warm=samples[0][1],
            rss_end=rss_end,
            rss_samples=[*samples, (elapsed, rss_end)],
            workers_start=pids,
            workers_end=end_pids,
            transport_errors=transport,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "120"))
    )
    parser.add_argument("--warmup", type=float, default=15, help="seconds before the first RSS")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed RSS growth")
    args = parser.parse_args(argv)
    result = run(args.seconds, args.warmup, args.workers, args.clients)
    print(result.report())
    return 0 if result.ok(args.max_growth) else 1


if __name__ == "__main__":
    sys.exit(main())

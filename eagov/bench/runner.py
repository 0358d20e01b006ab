"""One benchmark run: generate each scale, measure, and write the generated section of
docs/performance.md (between the ``bench:begin`` and ``bench:end`` markers)."""

from __future__ import annotations

import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import datagen, measures

BEGIN = "<!-- bench:begin (written by `eagov bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"

RATE_TARGET = 0.25
SQL_TARGET = 15
GROWTH_TARGET = 1.3
DOCX_TARGET = 1.5
AUDIT_TARGET = 0.5
SWEEP_TARGET = 2.0


@dataclass
class ScaleResult:
    scale: float
    added: dict[str, int]
    totals: dict[str, int]
    generate_s: float
    sql: dict[str, int] = field(default_factory=dict)
    rps: dict[str, float] = field(default_factory=dict)
    healthz_rps: float = 0.0
    latency: dict[str, float] = field(default_factory=dict)
    audit: dict[str, float] = field(default_factory=dict)


@dataclass
class Run:
    scales: list[ScaleResult]
    docx: dict[str, float] | None = None
    sweep: dict[str, float] | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0


def run(
    scales: list[float],
    *,
    only: set[str] | None = None,
    database_url: str | None = None,
    seconds: float = 3.0,
    clients: int = 4,
    latency_runs: int = 20,
    log: Callable[[str], None] = print,
) -> Run:
    """Measure every scale in ``scales``. ``only`` limits the measures to some of
    ``pages`` (SQL, rates, latency), ``audit``, ``docx``, ``sweep``."""
    want = only or {"pages", "audit", "docx", "sweep"}
    started = time.perf_counter()
    result = Run(scales=[])
    with tempfile.TemporaryDirectory(prefix="eagov-bench-") as tmp:
        for scale in scales:
            result.scales.append(
                _one_scale(
                    Path(tmp), scale, want, database_url, seconds, clients, latency_runs, log
                )
            )
        if "docx" in want:
            log("docx: eagov builder against bare python-docx")
            result.docx = measures.docx_ratio()
        if "sweep" in want:
            log("reminder sweep: 100x not-due rows against none")
            result.sweep = measures.sweep_ratio(Path(tmp))
    result.seconds = time.perf_counter() - started
    return result


def _one_scale(
    tmp: Path,
    scale: float,
    want: set[str],
    database_url: str | None,
    seconds: float,
    clients: int,
    latency_runs: int,
    log: Callable[[str], None],
) -> ScaleResult:
    from .. import create_app

    work = tmp / f"scale-{scale:g}"
    work.mkdir()
    url = database_url or f"sqlite:///{work / 'bench.db'}"
    secret_key = uuid.uuid4().hex
    instance = work / "instance"
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": secret_key, "INSTANCE_PATH": str(instance)}
    )
    log(f"scale {scale:g}: generating")
    datagen.create_schema(app)
    gen = datagen.generate(app, scale)
    out = ScaleResult(scale, gen.added, datagen.table_counts(app), gen.seconds)
    log(f"scale {scale:g}: generated in {gen.seconds:.1f} s: {out.totals}")
    measured = measures.targets(gen.contract_id, gen.review_id, gen.assessment_id)
    if "pages" in want:
        token = measures.api_secret(app)
        out.sql = measures.sql_counts(app, measured, token)
        log(f"scale {scale:g}: SQL statements {out.sql}")
        app.extensions["eagov.engine"].dispose()
        with measures.gunicorn(url, instance, secret_key) as base:
            cookies = measures.http_login(base)
            health = measures.Target("healthz", "/healthz")
            first = measures.rate(base, health, cookies, token, seconds=seconds, clients=clients)
            for t in measured:
                # Warm both workers first: the first request of a page in a process pays for
                # imports and caches (the chart libraries of the maturity report, templates).
                measures.rate(base, t, cookies, token, seconds=1.0, clients=clients)
                out.rps[t.name] = measures.rate(
                    base, t, cookies, token, seconds=seconds, clients=clients
                )
                out.latency[t.name] = measures.latency(base, t, cookies, token, latency_runs)
            last = measures.rate(base, health, cookies, token, seconds=seconds, clients=clients)
            out.healthz_rps = (first + last) / 2
        log(f"scale {scale:g}: /healthz {out.healthz_rps:.0f}/s, pages {out.rps}")
    if "audit" in want:
        out.audit = measures.audit_ratio(app)
        log(f"scale {scale:g}: audit {out.audit}")
    app.extensions["eagov.engine"].dispose()
    return out


# --- the write-up ---------------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "yes" if good else "**no**"


def render(r: Run) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        BEGIN,
        "",
        f"Measured {r.started:%Y-%m-%d %H:%M} UTC by `eagov bench --scales "
        f"{','.join(f'{s.scale:g}' for s in r.scales)}` in {r.seconds / 60:.1f} minutes on "
        f"{os.cpu_count()} CPUs ({cpu}, {platform.system()}, Python "
        f"{platform.python_version()}), SQLite, gunicorn with 2 sync workers on loopback; "
        f"the load generator (4 client threads) ran on the same machine.",
        "",
        "**Data.** Rows in the benchmarked tables (demo base included):",
        "",
        "| table | " + " | ".join(f"scale {s.scale:g}" for s in r.scales) + " |",
        "|---|" + "---|" * len(r.scales),
    ]
    for name in datagen.TARGETS:
        lines.append(f"| {name} | " + " | ".join(f"{s.totals[name]:,}" for s in r.scales) + " |")
    lines.append(
        "| generation time | " + " | ".join(f"{s.generate_s:.0f} s" for s in r.scales) + " |"
    )
    paged = [s for s in r.scales if s.sql]
    if paged:
        lines += [
            "",
            f"**Pages and API lists.** Requests per second as a ratio to `/healthz` served by "
            f"the same server in the same run (target ≥ {RATE_TARGET}); SQL statements per "
            f"request (target ≤ {SQL_TARGET}, the same at every scale); median latency of "
            f"sequential requests.",
            "",
        ]
        head = "| target |"
        rule = "|---|"
        for s in paged:
            head += f" rps {s.scale:g} | ratio {s.scale:g} | SQL {s.scale:g} | median {s.scale:g} |"
            rule += "---|---|---|---|"
        growth = len(paged) > 1
        if growth:
            head += f" latency growth {paged[0].scale:g}→{paged[-1].scale:g} |"
            rule += "---|"
        lines += [head, rule]
        lines.append(
            "| /healthz |"
            + "".join(f" {s.healthz_rps:.0f} | 1 | 0 | |" for s in paged)
            + (" |" if growth else "")
        )
        for name in paged[0].sql:
            row = f"| {name} |"
            for s in paged:
                ratio = s.rps[name] / s.healthz_rps
                row += (
                    f" {s.rps[name]:.1f} | {ratio:.2f}{'' if ratio >= RATE_TARGET else ' ✗'} |"
                    f" {s.sql[name]}{'' if s.sql[name] <= SQL_TARGET else ' ✗'} |"
                    f" {s.latency[name] * 1000:.1f} ms |"
                )
            if growth:
                g = paged[-1].latency[name] / paged[0].latency[name]
                row += f" {g:.2f}{'' if g <= GROWTH_TARGET else ' ✗'} |"
            lines.append(row)
    audited = [s for s in r.scales if s.audit]
    if audited:
        lines += [
            "",
            f"**Audit verify.** `verify_chain` throughput against hashlib SHA-256 over the "
            f"same canonical bytes (target ≥ {AUDIT_TARGET}); the floor is reading the rows, "
            f"building the canonical JSON and hashing in a plain loop.",
            "",
            "| scale | events | verify | events/s | SHA-256 alone | ratio | read + JSON + hash "
            "| ratio to that floor |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for s in audited:
            a = s.audit
            floor = a["read_s"] + a["canonical_s"] + a["sha_s"]
            lines.append(
                f"| {s.scale:g} | {a['events']:,.0f} | {a['verify_s']:.2f} s | "
                f"{a['verify_events_per_s']:,.0f} | {a['sha_s'] * 1000:.0f} ms | "
                f"{a['ratio']:.3f} | {floor:.2f} s | {a['ratio_vs_floor']:.2f} |"
            )
    if r.docx:
        d = r.docx
        lines += [
            "",
            f"**Word document** (bench/docx_bench.py, 5 runs): eagov {d['eagov_ms']:.1f} ms, "
            f"bare python-docx {d['bare_ms']:.1f} ms, ratio {d['ratio']:.2f} "
            f"(target ≤ {DOCX_TARGET}: {_ok(d['ratio'] <= DOCX_TARGET)}).",
        ]
    if r.sweep:
        w = r.sweep
        lines += [
            "",
            f"**Reminder sweep** ({w['due']:.0f} deliverables due, median of 5 sweeps): "
            f"{w['none_s'] * 1000:.1f} ms with no other open deliverables, "
            f"{w['with_s'] * 1000:.1f} ms with {w['not_due']:,.0f} not due for more than a year; "
            f"ratio {w['ratio']:.2f} (target ≤ {SWEEP_TARGET}: {_ok(w['ratio'] <= SWEEP_TARGET)}); "
            f"notifications made: {w['created_none']:.0f} and {w['created_with']:.0f}.",
        ]
    lines += ["", END]
    return "\n".join(lines)


def write(r: Run, path: Path) -> None:
    """Replace the generated section of ``path`` (or append one)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    section = render(r)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n## Benchmark suite: last run\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def summary(r: Run) -> dict[str, Any]:
    """The numbers as plain data (for --json)."""
    from dataclasses import asdict

    return asdict(r) | {"started": r.started.isoformat()}

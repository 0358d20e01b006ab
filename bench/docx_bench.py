"""Word contract document: eagov's builder against bare python-docx.

Builds a contract with 100 deliverables on a temporary SQLite database through the services
(as the application does), then times N runs of

- ``build_contract_docx`` (the styled document: cover, TOC, numbered sections, tables with
  repeated shaded headers, header and footer fields, DRAFT mark, custom XML part, text
  fingerprint; database reads included), and
- a bare python-docx baseline writing the same paragraphs and tables from content already in
  memory (default template, no styling, ``table.add_row().cells`` and ``cell.text``),

alternating the two, and prints the medians and their ratio. The requirement is a ratio of at
most 1.5 (docs/performance.md).

    .venv/bin/python bench/docx_bench.py --runs 5
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION_TEXT = (
    "The architecture function and the sponsor agree on the **scope** and the *approach* "
    "described here. The work covers the customer data platform, its integration with the "
    "order systems and the retirement of the legacy warehouse.\n\n"
    "- Business architecture for the sales and service domains\n"
    "- Data architecture: customer, product and order\n"
    "- Application and technology architecture of the platform\n\n"
    "Changes to this scope follow the change-of-scope procedure of this contract."
)


def setup(session: Any, count: int) -> Any:
    """A complete contract with ``count`` deliverables, made through the services."""
    from eagov.contract_types import spec
    from eagov.permissions import SYSTEM
    from eagov.schemas.contracts import ContractCreate, DeliverableIn, MetricIn
    from eagov.schemas.org import BoardIn, BoardMemberIn, OrgUnitIn, PersonIn
    from eagov.services import contracts, deliverables, org

    ea = org.create_unit(session, SYSTEM, OrgUnitIn(name="EA Office", kind="function"))
    biz = org.create_unit(session, SYSTEM, OrgUnitIn(name="Retail", kind="division"))
    people = {
        role: org.create_person(
            session,
            SYSTEM,
            PersonIn(name=f"{role.title()} Person", email=f"{role}@example.com", org_unit_id=ea.id),
        ).id
        for role in ("sponsor", "lead", "chair", "partner")
    }
    board = org.create_board(session, SYSTEM, BoardIn(name="Board", level="global", quorum=1))
    org.add_member(
        session,
        SYSTEM,
        board.id,
        BoardMemberIn(
            person_id=people["chair"], role="chair", term_start=date.today() - timedelta(days=9)
        ),
    )
    contract = contracts.create_contract(
        session,
        SYSTEM,
        ContractCreate(
            type="soaw",
            board_id=board.id,
            title="Customer data platform",
            architecture_unit_id=ea.id,
            counterparty_unit_id=biz.id,
            sponsor_id=people["sponsor"],
            lead_architect_id=people["lead"],
            representative_id=people["partner"],
            window_start=date(2026, 1, 1),
            window_end=date(2026, 12, 31),
            sections={s.key: SECTION_TEXT for s in spec("soaw").sections},
            conformance_requirements="Conform to the **integration standard**.",
            principles=["Data is an asset", "Reuse before buy before build"],
            standards=["ISO 27001", "TOGAF 10"],
            risks=[{"description": "Vendor lock-in", "likelihood": "medium", "impact": "high"}],
        ),
    )
    phases = ["a_vision", "b_business", "c_information_systems", "d_technology", "f_migration"]
    for i in range(count):
        deliverables.add_deliverable(
            session,
            SYSTEM,
            contract.id,
            DeliverableIn(
                title=f"Work package {i + 1:03d}: architecture definition",
                phase=phases[i % len(phases)],
                kind="Architecture Definition Document",
                owner_id=people["lead"],
                due_date=date(2026, 2, 1) + timedelta(days=2 * i),
                acceptance_criteria=f"Reviewed by the board; covers item {i + 1}.",
            ),
        )
    for name in ("Systems on the target platform", "Deliverables accepted on time"):
        deliverables.add_metric(
            session, SYSTEM, contract.id, MetricIn(name=name, target="80", unit="%")
        )
    return contract


def bare(content: dict[str, Any], titles: list[str]) -> bytes:
    """The same paragraphs and tables with plain python-docx: no styling, no extras."""
    from docx import Document

    from eagov import richtext

    doc = Document()
    doc.add_heading(content["title"], 0)
    for label, value in (
        ("Reference", content["reference"]),
        ("Version", str(content["version"])),
        ("Sponsor", content["sponsor"]["name"]),
        ("Board", content["board"]["name"]),
    ):
        doc.add_paragraph(f"{label}: {value}")
    for i, (title, section) in enumerate(zip(titles, content["sections"], strict=True), start=1):
        doc.add_heading(f"{i}. {title}", 1)
        for block in richtext.blocks(section["text"]):
            doc.add_paragraph(block.text)
    doc.add_heading("Deliverables", 1)
    table = doc.add_table(rows=1, cols=6)
    for cell, text in zip(
        table.rows[0].cells,
        ("Phase", "Deliverable", "Owner", "Due", "Acceptance criteria", "Status"),
        strict=True,
    ):
        cell.text = text
    for item in content["deliverables"]:
        cells = table.add_row().cells
        values = (
            item["phase"],
            item["title"],
            item["owner"]["name"],
            item["due"],
            item["acceptance_criteria"],
            "Planned",
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    doc.add_heading("Metrics", 1)
    metrics = doc.add_table(rows=1, cols=4)
    for item in content["metrics"]:
        cells = metrics.add_row().cells
        for cell, text in zip(cells, (item["name"], item["target"], item["unit"], ""), strict=True):
            cell.text = text
    for heading, items in (
        ("Principles", content["principles"]),
        ("Standards", content["standards"]),
    ):
        doc.add_heading(heading, 1)
        for text in items:
            doc.add_paragraph(text)
    doc.add_heading("Risks", 1)
    risks = doc.add_table(rows=1, cols=4)
    for risk in content["risks"]:
        cells = risks.add_row().cells
        for cell, text in zip(
            cells, (risk["description"], risk["likelihood"], risk["impact"], ""), strict=True
        ):
            cell.text = text
    doc.add_heading("Signatures", 1)
    for capacity in ("Sponsor", "Chair"):
        doc.add_paragraph(capacity)
        for line in ("Signature: ____", "Name: ____", "Date: ____"):
            doc.add_paragraph(line)
    doc.add_paragraph("Content hash")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--deliverables", type=int, default=100)
    parser.add_argument("--locale", default="en", choices=["en", "zh_Hans"])
    parser.add_argument(
        "--max-ratio", type=float, default=None, help="exit 1 when the ratio is above this"
    )
    args = parser.parse_args()

    from sqlmodel import Session

    from eagov import create_app
    from eagov.contract_types import spec
    from eagov.db import engine
    from eagov.documents.contract_docx import build_contract_docx
    from eagov.models import metadata
    from eagov.permissions import SYSTEM
    from eagov.services import contracts
    from eagov.services.contract_documents import verify_docx

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "SECRET_KEY": uuid.uuid4().hex,
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
            }
        )
        with app.app_context():
            metadata.create_all(engine())
            with Session(engine(), expire_on_commit=False) as session:
                contract = setup(session, args.deliverables)
                version = contracts.get_version(session, contract)
                content = contracts.canonical_content(session, contract, version)
                titles = [str(s.title) for s in spec(contract.type).sections]

                def styled() -> bytes:
                    return build_contract_docx(session, contract, version, locale=args.locale)

                def plain() -> bytes:
                    return bare(content, titles)

                # Warm-up: imports, the styled base package (built once per process), caches.
                start = time.perf_counter()
                document = styled()
                first = time.perf_counter() - start
                sizes = {"eagov": len(document), "bare": len(plain())}
                times: dict[str, list[float]] = {"eagov": [], "bare": []}
                for _ in range(args.runs):
                    for name, fn in (("eagov", styled), ("bare", plain)):
                        start = time.perf_counter()
                        fn()
                        times[name].append(time.perf_counter() - start)
                # Checking the document (verification builds a fresh copy to compare with).
                checks = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    check = verify_docx(session, SYSTEM, document)
                    checks.append(time.perf_counter() - start)
                assert check.matches, check.reasons
            engine().dispose()

    print(f"{args.deliverables} deliverables, {args.runs} runs each, locale {args.locale}")
    for name in ("eagov", "bare"):
        runs = times[name]
        print(
            f"  {name:6s} median {statistics.median(runs) * 1000:7.1f} ms   "
            f"min {min(runs) * 1000:7.1f} ms   max {max(runs) * 1000:7.1f} ms   "
            f"{sizes[name] // 1024} KiB"
        )
    print(f"  first eagov build in the process (styled base built once): {first * 1000:.1f} ms")
    print(f"  verify_docx of that document: median {statistics.median(checks) * 1000:.1f} ms")
    ratio = statistics.median(times["eagov"]) / statistics.median(times["bare"])
    print(f"  ratio eagov / bare python-docx: {ratio:.2f} (required: at most 1.5)")
    if args.max_ratio is not None and ratio > args.max_ratio:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark suite at a tiny scale: the generator makes the right proportions of valid
data (the audit chain verifies) and every in-process measure returns numbers. No timings are
asserted: they depend on the machine."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask

from eagov import create_app
from eagov.bench import datagen, measures, runner

SCALE = 0.02


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Flask, datagen.Generated, dict[str, int]]:
    tmp = tmp_path_factory.mktemp("bench")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "SECRET_KEY": uuid.uuid4().hex,
            "INSTANCE_PATH": str(tmp / "instance"),
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    datagen.create_schema(app)
    base = datagen.table_counts(app)  # empty
    gen = datagen.generate(app, SCALE)
    yield app, gen, base
    app.extensions["eagov.engine"].dispose()


def test_counts_scale_with_the_factor() -> None:
    assert datagen.counts(1) == datagen.TARGETS
    assert datagen.counts(10)["review_item"] == 500_000
    assert datagen.counts(0.5)["deliverable"] == 2_500
    # Fractions never drop a table to nothing.
    assert min(datagen.counts(0.0001).values()) == 1


def test_generator_adds_the_proportions_on_top_of_the_demo_base(generated) -> None:  # type: ignore[no-untyped-def]
    app, gen, before = generated
    assert all(n == 0 for n in before.values())
    totals = datagen.table_counts(app)
    wanted = datagen.counts(SCALE)
    assert gen.added == wanted
    with app.app_context():
        import sqlalchemy as sa

        eng = app.extensions["eagov.engine"]
        with eng.connect() as conn:
            generated_rows = {
                "contract": conn.execute(
                    sa.text("SELECT count(*) FROM contract WHERE year < 2020")
                ).scalar_one(),
                "review": conn.execute(
                    sa.text("SELECT count(*) FROM review WHERE year < 2020")
                ).scalar_one(),
                "person": conn.execute(
                    sa.text("SELECT count(*) FROM person WHERE email LIKE '%@bench.eagov.example'")
                ).scalar_one(),
            }
            per_contract = conn.execute(
                sa.text(
                    "SELECT count(*) FROM deliverable WHERE version_id = "
                    "(SELECT id FROM contract_version WHERE contract_id = :c)"
                ),
                {"c": gen.contract_id},
            ).scalar_one()
            frozen = conn.execute(
                sa.text(
                    "SELECT count(*) FROM contract_version WHERE state = 'signed' "
                    "AND content_hash IS NULL"
                )
            ).scalar_one()
    assert generated_rows == {k: wanted[k] for k in generated_rows}
    # Ten deliverables per contract, fifty items per review, as at scale 1.
    assert per_contract == wanted["deliverable"] // wanted["contract"]
    assert totals["review_item"] - wanted["review_item"] < totals["review_item"] * 0.1
    assert totals["audit_event"] > wanted["audit_event"]
    assert frozen == 0
    assert gen.assessment_id > 0


def test_generated_audit_chain_verifies_and_audit_measure_returns_numbers(generated) -> None:  # type: ignore[no-untyped-def]
    app, _gen, _ = generated
    numbers = measures.audit_ratio(app)
    assert numbers["events"] == datagen.table_counts(app)["audit_event"]
    assert numbers["verify_s"] > 0 and numbers["sha_s"] > 0 and numbers["ratio"] > 0


def test_pages_answer_and_run_a_bounded_number_of_statements(generated) -> None:  # type: ignore[no-untyped-def]
    app, gen, _ = generated
    measured = measures.targets(gen.contract_id, gen.review_id, gen.assessment_id)
    counts = measures.sql_counts(app, measured, measures.api_secret(app))
    assert set(counts) == {t.name for t in measured}
    assert all(isinstance(n, int) and n > 0 for n in counts.values())


def test_sweep_measure_returns_numbers(tmp_path: Path) -> None:
    numbers = measures.sweep_ratio(tmp_path, due=2, factor=10, runs=1)
    # Each due deliverable reminds its owner once; the not-due ones remind nobody.
    assert numbers["created_none"] == numbers["created_with"] == 2
    assert numbers["none_s"] > 0 and numbers["with_s"] > 0


def test_write_replaces_only_the_generated_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nHand-written intro.\n", encoding="utf-8")
    run = runner.Run(
        scales=[runner.ScaleResult(SCALE, datagen.counts(SCALE), datagen.counts(SCALE), 1.0)],
        sweep={
            "due": 2,
            "not_due": 20,
            "none_s": 0.01,
            "with_s": 0.01,
            "created_none": 2,
            "created_with": 2,
            "ratio": 1.0,
        },
    )
    runner.write(run, doc)
    runner.write(run, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nHand-written intro.\n")
    assert text.count(runner.BEGIN) == 1 and text.count(runner.END) == 1
    assert "Reminder sweep" in text

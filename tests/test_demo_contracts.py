"""The demo contracts cover every type and state, with deliverables and real signatures."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from eagov.demo import load_demo
from eagov.models import Contract, Deliverable, Signature
from eagov.services import audit
from eagov.services.contracts import hash_content


def test_demo_contracts(session):
    load_demo(session)
    found = session.exec(select(Contract)).all()
    assert len(found) >= 10
    assert Counter(c.type for c in found).keys() == {
        "soaw",
        "design_development",
        "business_stakeholders",
    }
    assert {c.status for c in found} == {
        "draft",
        "in_review",
        "approved",
        "active",
        "completed",
        "terminated",
        "expired",
    }
    assert any(c.latest_version > (c.effective_version or 0) for c in found)  # an open amendment
    assert len(session.exec(select(Deliverable)).all()) >= 15
    signatures = session.exec(select(Signature)).all()
    assert len(signatures) >= 15
    from eagov.models import ContractVersion

    for sig in signatures:
        version = session.get(ContractVersion, sig.version_id)
        assert sig.version_hash == version.content_hash == hash_content(version.snapshot)
    assert audit.verify_chain(session).ok

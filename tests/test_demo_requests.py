"""The demo requests: every type and state, breaches, both conversions, notes and five
answered surveys; the audit chain still verifies."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlmodel import select

from eagov.demo import load_demo
from eagov.models import GovernanceRequest, RequestNote, RequestState, RequestType, SurveyInvitation
from eagov.permissions import SYSTEM
from eagov.services import audit
from eagov.services import requests as svc


def test_demo_requests(session):
    load_demo(session)  # loads the demo requests with the rest
    now = datetime.now(UTC)
    found = session.exec(select(GovernanceRequest)).all()
    assert len(found) >= 12
    assert {r.state for r in found} >= {s.value for s in RequestState}
    assert {r.type for r in found} == {t.value for t in RequestType}
    assert any(r.review_id for r in found) and any(r.dispensation_id for r in found)
    assert any(r.channel == "phone" and r.requester_name for r in found)
    rows = svc.requests_page(session, SYSTEM, svc.RequestFilter(breached=True), 1, 50, now=now)
    assert rows.total >= 2
    answered = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.answered_at.is_not(None))  # type: ignore[union-attr]
    ).all()
    assert 4 <= len(answered) <= 6 and len({a.rating for a in answered}) >= 3
    notes = session.exec(select(RequestNote)).all()
    assert any(n.internal for n in notes) and any(not n.internal for n in notes)
    assert Counter(r.state for r in found)["escalated"] >= 1
    assert audit.verify_chain(session).ok

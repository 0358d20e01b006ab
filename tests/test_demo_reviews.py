"""The demo reviews: several states and levels, findings (some verified), a granted
dispensation expiring soon and an expired one with its follow-up review; the audit chain
still verifies and the report and exports build for every demo review."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

from eagov.demo import load_demo
from eagov.models import Dispensation, Finding, Review
from eagov.services import audit


def test_demo_reviews(session):
    load_demo(session)
    found = session.exec(select(Review)).all()
    states = Counter(r.state for r in found)
    assert len(states) >= 4
    assert {"requested", "scoped", "interviewing", "presented", "signed_off"} <= set(states)
    decisions = {r.decision for r in found if r.state == "signed_off"}
    assert decisions == {"accepted", "rejected"}
    assert {r.level for r in found} >= {"non_conformant", "conformant"}
    interviewing = next(r for r in found if r.state == "interviewing")
    from eagov.services import reviews

    items = reviews.items_of(session, interviewing.id)
    assert any(i.level for i in items) and any(i.level is None for i in items)

    findings = session.exec(select(Finding)).all()
    assert len(findings) >= 5
    assert any(f.status == "verified" for f in findings)

    granted = session.exec(select(Dispensation).where(Dispensation.state == "granted")).all()
    expired = session.exec(select(Dispensation).where(Dispensation.state == "expired")).all()
    assert granted and expired
    assert any(d.expires_on and d.expires_on <= date.today() + timedelta(days=30) for d in granted)
    follow_up = session.get(Review, expired[0].follow_up_review_id)
    assert follow_up is not None and follow_up.state == "requested"
    rejected = next(r for r in found if r.decision == "rejected")
    assert reviews.waived_references(session, rejected.id)

    assert audit.verify_chain(session).ok


def test_reports_build_for_every_demo_review(app, session):
    from docx import Document

    from eagov.documents.review_docx import build_review_docx
    from eagov.exports.review_exports import responses_csv

    load_demo(session)
    with app.app_context():
        for review in session.exec(select(Review)).all():
            data = build_review_docx(session, review)
            header = Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text
            assert review.reference in header
            assert responses_csv(session, review).startswith(b"\xef\xbb\xbf")

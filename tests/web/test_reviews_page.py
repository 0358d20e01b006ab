"""One review's page: header, roll-up, the workflow with each refusal (403/409/422 shown next to
the form with the input kept), participants, tailoring, findings, dispensations with waived
items, the lead architect's override, re-reviews with their comparison, and history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import count_statements
from contract_factory import make_cast
from test_contracts_support import client_for, send, text_of
from test_reviews_support import import_baseline, requested, tailored, to_state

from eagov.schemas.reviews import AnswerIn
from eagov.services import dispensations, reviews


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def library(session):
    return import_baseline(session)


def test_page_shows_header_workflow_and_rollup(app, session, cast, library):
    review = tailored(session, cast, library)
    items = reviews.items_of(session, review.id)
    reviews.answer_item(
        session, cast.actor("lead"), items[0].id, AnswerIn(level="compliant"), items[0].version
    )
    viewer = client_for(app, cast.viewer)
    page = viewer.get(f"/reviews/{review.id}")
    assert page.status_code == 200
    html, text = page.text, text_of(page.text)
    assert review.reference in text and "Initial design" in text and "Payments hub" in text
    assert 'data-state="tailored"' in html
    assert 'data-level="compliant"' in html and 'data-provisional="1"' in html
    assert "The weakest level among 1 counted item(s)" in text
    assert f"Unanswered: {len(items) - 1}" in text
    assert items[0].reference in text
    # the workflow: done / current / next with who acts
    assert 'data-step="scope" data-done="1"' in html
    assert 'data-step="schedule" data-done="0" aria-current="step"' in html
    assert "Review co-ordinator" in text and "Architecture Board chair" in text
    assert "you cannot take this step" in text  # the viewer
    assert 'id="advance-form"' not in html
    assert "Checklist progress" in text and "1 of" in text
    history = viewer.get(f"/reviews/{review.id}?tab=history")
    assert history.status_code == 200 and "tailored checklists" in history.text


def test_workflow_refusals_through_the_page(app, session, cast, library):
    review = requested(session, cast)
    lead = client_for(app, cast.lead)
    coordinator = client_for(app, cast.coordinator)
    refused = send(lead, f"/reviews/{review.id}/advance")
    assert refused.status_code == 403
    assert "Only the review co-ordinator takes this step." in refused.text
    missing = send(coordinator, f"/reviews/{review.id}/advance")
    assert missing.status_code == 422 and "Name the lead architect." in missing.text
    # participants: the co-ordinator only
    viewer = client_for(app, cast.viewer)
    no = send(
        viewer,
        f"/reviews/{review.id}/participants",
        {"person_id": cast.person["lead"], "role": "lead_architect"},
    )
    assert no.status_code == 403
    ok = send(
        coordinator,
        f"/reviews/{review.id}/participants",
        {"person_id": cast.person["lead"], "role": "lead_architect"},
    )
    assert ok.status_code == 302
    again = send(
        coordinator,
        f"/reviews/{review.id}/participants",
        {"person_id": cast.person["lead"], "role": "lead_architect"},
    )
    assert again.status_code == 422 and "already has that role" in again.text
    assert send(coordinator, f"/reviews/{review.id}/advance").status_code == 302
    # tailoring through the page
    page = lead.get(f"/reviews/{review.id}").text
    assert 'id="tailor-form"' in page and "Security" in page
    nothing = send(
        lead, f"/reviews/{review.id}/tailor", {"library_id": library.id, "references": "ZZ-99"}
    )
    assert nothing.status_code == 422 and "Nothing new to add" in nothing.text
    assert 'value="ZZ-99"' in nothing.text
    ok = send(
        lead, f"/reviews/{review.id}/tailor", {"library_id": library.id, "categories": "security"}
    )
    assert ok.status_code == 302
    custom = send(
        lead,
        f"/reviews/{review.id}/items",
        {"category_key": "security", "category_title": "Security", "question": "Is it patched?"},
    )
    assert custom.status_code == 302
    assert "CUS-01" in lead.get(f"/reviews/{review.id}").text
    assert send(lead, f"/reviews/{review.id}/advance").status_code == 302  # tailored
    # schedule needs a meeting time
    no_time = send(coordinator, f"/reviews/{review.id}/advance")
    assert no_time.status_code == 422 and "Set the date and time" in no_time.text
    ok = send(coordinator, f"/reviews/{review.id}/advance", {"meeting_at": "2026-12-01T09:00"})
    assert ok.status_code == 302
    late = send(
        lead,
        f"/reviews/{review.id}/tailor",
        {"library_id": library.id, "categories": "applications"},
    )
    assert late.status_code == 409 and "before the review meeting is scheduled" in late.text


def test_sign_off_by_the_chair_only_with_a_complete_decision(app, session, cast, library):
    review = to_state(session, cast, library, "presented")
    coordinator = client_for(app, cast.coordinator)
    chair = client_for(app, cast.chair)
    assert 'id="advance-form"' in chair.get(f"/reviews/{review.id}").text
    no = send(coordinator, f"/reviews/{review.id}/advance", {"decision": "accepted"})
    assert no.status_code == 403 and "Only the chair of the Architecture Board" in no.text
    incomplete = send(
        chair, f"/reviews/{review.id}/advance", {"decision": "accepted_with_conditions"}
    )
    assert incomplete.status_code == 422
    assert "State the conditions of the acceptance." in incomplete.text
    assert 'value="accepted_with_conditions" selected' in incomplete.text
    ok = send(
        chair,
        f"/reviews/{review.id}/advance",
        {"decision": "accepted_with_conditions", "conditions": "Fix SEC-01 by March."},
    )
    assert ok.status_code == 302
    page = chair.get(f"/reviews/{review.id}").text
    assert 'data-state="signed_off"' in page and "Fix SEC-01 by March." in page
    # signed off: nothing changes any more
    late = send(
        coordinator,
        f"/reviews/{review.id}/participants",
        {"person_id": cast.person["viewer"], "role": "customer"},
    )
    assert late.status_code == 409 and "no longer changes" in late.text


def test_override_by_the_lead_architect_only(app, session, cast, library):
    review = tailored(session, cast, library)
    coordinator = client_for(app, cast.coordinator)
    lead = client_for(app, cast.lead)
    assert "Override the level" in lead.get(f"/reviews/{review.id}").text
    assert "Override the level" not in coordinator.get(f"/reviews/{review.id}").text
    reason = "The design is sound; the gaps are documented elsewhere."
    no = send(
        coordinator,
        f"/reviews/{review.id}/override",
        {"level": "compliant", "justification": reason},
    )
    assert no.status_code == 403 and "Only the lead architect" in no.text
    short = send(
        lead, f"/reviews/{review.id}/override", {"level": "compliant", "justification": "x"}
    )
    assert short.status_code == 422 and ">x</textarea>" in short.text
    ok = send(
        lead, f"/reviews/{review.id}/override", {"level": "compliant", "justification": reason}
    )
    assert ok.status_code == 302
    page = lead.get(f"/reviews/{review.id}").text
    assert 'id="override"' in page and reason in page


def test_findings_and_dispensations_with_waived_items(app, session, cast, library):
    review = tailored(session, cast, library)
    lead = client_for(app, cast.lead)
    chair = client_for(app, cast.chair)
    viewer = client_for(app, cast.viewer)
    bad = send(
        lead,
        f"/reviews/{review.id}/findings",
        {"severity": "high", "description": "No threat model.", "item_references": "ZZ-01"},
    )
    assert bad.status_code == 422 and "Not items of this review: ZZ-01." in bad.text
    assert "No threat model." in bad.text
    no = send(
        viewer, f"/reviews/{review.id}/findings", {"severity": "high", "description": "x" * 10}
    )
    assert no.status_code == 403
    ok = send(
        lead,
        f"/reviews/{review.id}/findings",
        {
            "severity": "high",
            "description": "No threat model.",
            "item_references": "SEC-01",
            "owner_id": cast.person["lead"],
        },
    )
    assert ok.status_code == 302
    finding = reviews.findings_of(session, review.id)[0]
    moved = send(
        lead,
        f"/reviews/findings/{finding.id}/move",
        {"status": "in_progress", "version": finding.version},
    )
    assert moved.status_code == 302
    stale = send(
        lead,
        f"/reviews/findings/{finding.id}/move",
        {"status": "resolved", "version": finding.version},
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.text
    wrong = send(
        lead,
        f"/reviews/findings/{finding.id}/move",
        {"status": "verified", "version": finding.version + 1},
    )
    assert wrong.status_code == 409 and "cannot go from" in wrong.text
    # a dispensation from the finding; the chair decides
    req = send(
        lead,
        f"/reviews/{review.id}/dispensations",
        {
            "finding_id": finding.id,
            "item_references": "SEC-01",
            "justification": "The project cannot realign before the next release.",
            "requested_expiry": (date.today() + timedelta(60)).isoformat(),
        },
    )
    assert req.status_code == 302, req.text[:2000]
    d = dispensations.get(session, cast.actor("viewer"), _only_dispensation(session, review.id))
    assert "Grant" not in text_of(lead.get(f"/reviews/{review.id}").text).split("Dispensations")[-1]
    no = send(lead, f"/reviews/dispensations/{d.id}/grant", {"version": d.version})
    assert no.status_code == 403
    refuse = send(chair, f"/reviews/dispensations/{d.id}/refuse", {"version": d.version})
    assert refuse.status_code == 422 and "Say why the dispensation is refused." in refuse.text
    far = (date.today() + timedelta(800)).isoformat()
    too_far = send(
        chair, f"/reviews/dispensations/{d.id}/grant", {"version": d.version, "expires_on": far}
    )
    assert too_far.status_code == 422 and "At most 12 months ahead" in too_far.text
    granted = send(
        chair,
        f"/reviews/dispensations/{d.id}/grant",
        {"version": d.version, "expires_on": (date.today() + timedelta(60)).isoformat()},
    )
    assert granted.status_code == 302
    page = viewer.get(f"/reviews/{review.id}").text
    assert 'data-state="granted"' in page and 'data-waived="1"' in page
    assert "Left out as waived: 1" in text_of(page)
    work = viewer.get(f"/reviews/{review.id}/workspace").text
    assert 'data-waived="1"' in work


def _only_dispensation(session, review_id: int) -> int:
    from sqlmodel import select

    from eagov.models import Dispensation

    return session.exec(select(Dispensation.id).where(Dispensation.review_id == review_id)).one()


def test_dispensation_needs_a_finding_or_a_rejection(app, session, cast, library):
    review = tailored(session, cast, library)
    lead = client_for(app, cast.lead)
    resp = send(
        lead,
        f"/reviews/{review.id}/dispensations",
        {
            "item_references": "SEC-01",
            "justification": "The project cannot realign before the next release.",
            "requested_expiry": (date.today() + timedelta(60)).isoformat(),
        },
    )
    assert resp.status_code == 409 and "requested from a finding" in resp.text
    assert "The project cannot realign" in resp.text


def test_rereview_and_the_comparison(app, session, cast, library):
    old = to_state(session, cast, library, "signed_off")
    viewer = client_for(app, cast.viewer)
    coordinator = client_for(app, cast.coordinator)
    assert "Start a re-review" not in viewer.get(f"/reviews/{old.id}").text
    assert send(viewer, f"/reviews/{old.id}/rereview").status_code == 403
    resp = send(coordinator, f"/reviews/{old.id}/rereview")
    assert resp.status_code == 302
    new_page = coordinator.get(resp.headers["Location"])
    html = new_page.text
    assert "Re-review" in html and old.reference in html
    assert 'id="comparison"' in html and f'data-trend="{old.reference}"' in html
    new_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    item = reviews.items_of(session, new_id)[0]
    assert item.level is None
    twice = send(coordinator, f"/reviews/{new_id}/rereview")
    assert twice.status_code == 409 and "signed off" in twice.text


def test_the_page_runs_a_bounded_number_of_statements(app, session, cast, library):
    review = tailored(session, cast, library)
    viewer = client_for(app, cast.viewer)
    viewer.get(f"/reviews/{review.id}")
    with count_statements(app) as seen:
        viewer.get(f"/reviews/{review.id}")
    with count_statements(app) as work:
        viewer.get(f"/reviews/{review.id}/workspace")
    assert len(seen) < 40, seen
    assert len(work) < 30, work

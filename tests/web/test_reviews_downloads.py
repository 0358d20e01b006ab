"""Review page downloads (report, responses) and the dispensations register."""

from __future__ import annotations

import io
from datetime import date, timedelta

from conftest import login
from contract_factory import PASSWORD, make_cast
from docx import Document
from openpyxl import load_workbook
from test_reviews_service import BASELINE, to_state

from eagov.permissions import SYSTEM
from eagov.schemas.reviews import DispensationDecision, DispensationRequest
from eagov.services import checklists, dispensations, reviews


def signed_off(session):
    """A cast and a rejected, signed-off review of the security checklist."""
    cast = make_cast(session)
    library = checklists.import_library(session, SYSTEM, BASELINE.read_bytes())
    return cast, to_state(session, cast, library, "signed_off")


def granted(session, cast, review, days: int = 20, standards: list[str] | None = None):
    """A dispensation of the review's first item, granted for ``days``."""
    ref = reviews.items_of(session, review.id)[0].reference
    until = date.today() + timedelta(days=days)
    req = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=review.id,
            item_references=[ref],
            standards=standards or [],
            justification="Waiting for the replacement platform.",
            requested_expiry=until,
        ),
    )
    return dispensations.grant(
        session, cast.actor("chair"), req.id, DispensationDecision(expires_on=until), None
    )


def test_report_responses_and_register(client, session):
    cast, review = signed_off(session)
    ref = reviews.items_of(session, review.id)[0].reference
    for _ in range(2):
        granted(session, cast, review, standards=["TLS policy"])
    login(client, cast.viewer.email, PASSWORD)
    page = client.get(f"/reviews/{review.id}").text
    assert f"/reviews/{review.id}/report.docx" in page
    report = client.get(f"/reviews/{review.id}/report.docx")
    assert report.status_code == 200 and report.headers["Content-Disposition"].startswith(
        "attachment"
    )
    assert "Compliance review report" in "\n".join(
        p.text for p in Document(io.BytesIO(report.data)).paragraphs
    )
    sheet = load_workbook(
        io.BytesIO(client.get(f"/reviews/{review.id}/responses.xlsx").data)
    ).active
    assert sheet.max_row == len(reviews.items_of(session, review.id)) + 1
    register = client.get("/reviews/dispensations").text
    assert 'id="recurring"' in register and "TLS policy" in register and ref in register
    refused = client.get("/reviews/dispensations?state=refused").text
    assert '<td class="font-monospace">DSP-' not in refused


def test_meeting_time_is_read_in_the_users_zone(app):
    from eagov.web.reviews import _meeting_at

    app.config["DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    with app.test_request_context("/"):
        value = _meeting_at("2026-12-01T09:00")
    assert value.isoformat() == "2026-12-01T01:00:00+00:00"


def test_renewal_from_the_review_page(client, session):
    from conftest import post_form

    cast, review = signed_off(session)
    old = granted(session, cast, review)
    until = old.expires_on
    login(client, cast.lead.email, PASSWORD)
    page = f"/reviews/{review.id}"
    assert "Ask for a renewal" in client.get(page).text
    url = f"/reviews/dispensations/{old.id}/renew"
    short = post_form(
        client, url, {"requested_expiry": until.isoformat(), "justification": "x"}, page
    )
    assert short.status_code == 422
    resp = post_form(
        client,
        url,
        {
            "requested_expiry": (until + timedelta(days=60)).isoformat(),
            "justification": "The replacement slipped by a quarter.",
        },
        page,
    )
    assert resp.status_code == 302
    from sqlmodel import select

    from eagov.models import Dispensation

    renewal = session.exec(select(Dispensation).where(Dispensation.renewal_of_id == old.id)).one()
    assert renewal.state == "requested"


def test_home_dashboard_shows_review_tiles(client, session):
    cast, review = signed_off(session)
    req = granted(session, cast, review, days=10)
    login(client, cast.viewer.email, PASSWORD)
    page = client.get("/").text
    assert 'id="review-tiles"' in page and req.reference in page and "Conformant" in page

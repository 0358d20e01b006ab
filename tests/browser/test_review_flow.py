"""A compliance review in the system Chromium: the lead architect fills checklist items in the
workspace (typing, choosing a level, saving each; the page returns at the next item), and the
board chair signs the review off through the review page. The steps in between are taken
through the services to keep the test short. Console errors, CSP violations and HTTP errors
fail the test (conftest)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
BASELINE = (
    Path(__file__).resolve().parents[2] / "eagov" / "library" / "checklists" / "baseline.yaml"
)


@pytest.fixture
def review_cast(live_server: Any) -> Any:
    """A cast and a review tailored with the security category, in the live server's
    database (made through the services; the demo data is not relied on)."""
    from contract_factory import make_cast
    from sqlmodel import Session, select

    from eagov.db import engine
    from eagov.models import ChecklistLibrary
    from eagov.permissions import SYSTEM
    from eagov.schemas.reviews import AdvanceIn, ParticipantIn, ReviewRequest, TailorIn
    from eagov.services import checklists, reviews

    tag = "-rv" + uuid.uuid4().hex[:6]
    with live_server.app.app_context(), Session(engine(), expire_on_commit=False) as s:
        cast = make_cast(s, tag=tag)
        library = s.exec(
            select(ChecklistLibrary).where(ChecklistLibrary.identifier == "eagov-baseline")
        ).first() or checklists.import_library(s, SYSTEM, BASELINE.read_bytes())
        review = reviews.request_review(
            s,
            cast.actor("viewer"),
            ReviewRequest(
                title=f"Browser review {tag}",
                project="Payments hub",
                board_id=cast.board_id,
                checkpoint="initial_design",
                org_unit_id=cast.unit_id,
                scope="The integration design.",
            ),
        )
        reviews.add_participant(
            s,
            cast.actor("coordinator"),
            review.id,
            ParticipantIn(person_id=cast.person["lead"], role="lead_architect"),
        )
        reviews.advance(s, cast.actor("coordinator"), review.id, AdvanceIn())
        reviews.tailor(
            s,
            cast.actor("lead"),
            review.id,
            TailorIn(library_id=library.id, references=["SEC-01", "SEC-02", "SEC-03"]),
        )
        reviews.advance(s, cast.actor("lead"), review.id, AdvanceIn())
        return cast, review.id


def finish_through_services(live_server: Any, cast: Any, review_id: int) -> None:
    from datetime import UTC, datetime

    from sqlmodel import Session

    from eagov.db import engine
    from eagov.schemas.reviews import AdvanceIn
    from eagov.services import reviews

    with live_server.app.app_context(), Session(engine(), expire_on_commit=False) as s:
        lead = cast.actor("lead")
        reviews.advance(
            s,
            cast.actor("coordinator"),
            review_id,
            AdvanceIn(meeting_at=datetime(2026, 12, 1, 9, tzinfo=UTC)),
        )
        reviews.advance(s, lead, review_id, AdvanceIn())
        reviews.advance(s, lead, review_id, AdvanceIn())
        reviews.advance(s, lead, review_id, AdvanceIn(report_summary="Sound design."))
        reviews.advance(s, lead, review_id, AdvanceIn())


def sign_in(page: Any, email: str, problems: Any) -> None:
    from contract_factory import PASSWORD

    from browser.signin import sign_in as sign_in_with

    sign_in_with(page, email, PASSWORD, problems)


def test_lead_fills_the_checklist_and_the_chair_signs_off(
    page: Any, problems: Any, live_server: Any, review_cast: Any, screenshot: Any
) -> None:
    cast, review_id = review_cast
    main = page.locator("main#main")

    sign_in(page, cast.lead.email, problems)
    page.goto(f"/reviews/{review_id}/workspace")
    assert not problems.take()
    answers = [
        ("SEC-01", "A dated threat model exists; risks have owners.", "Conformant"),
        ("SEC-02", "Uses the enterprise identity provider with MFA.", "Fully conformant"),
        ("SEC-03", "Partly covered; see the findings.", "Compliant"),
    ]
    for ref, text, level in answers:
        item = main.locator(f'article[data-item="{ref}"]')
        item.get_by_label("Answer").fill(text)
        item.get_by_label("Level").select_option(label=level)
        with page.expect_navigation():
            item.get_by_role("button", name=f"Save {ref}").click()
        page.wait_for_load_state()
        assert main.get_by_text(f"Item {ref} saved.").count() == 1
        assert not problems.take()
    # the last save keeps the answers; the keyboard script did not break anything
    assert main.locator('article[data-item="SEC-03"] textarea[name=answer]').input_value() == (
        "Partly covered; see the findings."
    )
    screenshot(page, "review-workspace.png")

    finish_through_services(live_server, cast, review_id)

    sign_in(page, cast.chair.email, problems)
    page.goto(f"/reviews/{review_id}")
    assert main.locator('[data-level="compliant"]').count() >= 1
    form = main.locator("#advance-form")
    form.get_by_label("Decision").select_option(label="Accepted with conditions")
    form.get_by_label("Conditions").fill("Close the SEC-03 gap within six months.")
    with page.expect_navigation():
        form.get_by_role("button").click()
    page.wait_for_load_state()
    assert main.get_by_text("The review moved to its next step.").count() == 1
    assert main.locator('header [data-state="signed_off"]').count() == 1
    assert main.get_by_text("Close the SEC-03 gap within six months.").count() == 1
    screenshot(page, "review-signed-off.png")
    assert not problems.take()

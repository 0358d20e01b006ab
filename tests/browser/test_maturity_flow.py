"""A maturity assessment in the system Chromium: an assessor picks a level per element from
the descriptors, saves a draft and submits; the facilitator closes scoring, sees the
disagreement, consolidates an element with a target and publishes. Set-up and the other
assessor's scores go through the services. Console errors, CSP violations and HTTP errors
fail the test (conftest)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def maturity_setup(live_server: Any) -> Any:
    from maturity_factory import create_assessment, make_model, make_setup, score_all
    from sqlmodel import Session

    from eagov.db import engine
    from eagov.permissions import Actor
    from eagov.services import maturity_assessments as svc

    tag = "-mt" + uuid.uuid4().hex[:6]
    with live_server.app.app_context(), Session(engine(), expire_on_commit=False) as s:
        model = make_model(s, key=f"browser{tag}", elements=3)
        st = make_setup(s, tag, assessors=2, model=model)
        aid = create_assessment(s, st)
        fac = Actor.of(st.facilitator)
        svc.open_scoring(s, fac, aid, svc.get(s, fac, aid).version)
        score_all(s, st, aid, st.assessors[1], [1, 3, 4])
        return st, aid


def sign_in(page: Any, email: str, problems: Any) -> None:
    from maturity_factory import PASSWORD

    from browser.signin import sign_in as sign_in_with

    sign_in_with(page, email, PASSWORD, problems)


def _submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()


def test_assessor_scores_and_facilitator_publishes(
    page: Any, problems: Any, maturity_setup: Any, screenshot: Any
) -> None:
    st, aid = maturity_setup
    main = page.locator("main#main")
    ids = [e.id for e in st.elements]

    sign_in(page, st.assessors[0].email, problems)
    page.goto(f"/maturity/{aid}?tab=scoring")
    # Scoring on their own: the other assessor's submitted scores are not shown.
    assert main.locator("[data-mark]").count() == 0
    assert main.get_by_text("E1 at level 3: Defined").count() == 1
    main.locator(f"#level-{ids[0]}-3").check()
    main.locator(f"#evidence-{ids[0]}").fill("Process documented and followed.")
    _submit(page, main.get_by_role("button", name="Save draft"))
    assert main.get_by_text("Your scores are saved.").count() == 1
    assert main.locator(f"#level-{ids[0]}-3").is_checked()
    main.locator(f"#level-{ids[1]}-2").check()
    main.locator(f"#level-{ids[2]}-2").check()
    screenshot(page, "maturity-scoring.png")
    _submit(page, main.get_by_role("button", name="Submit my scores"))
    assert main.get_by_text("Your scores are submitted.").count() == 1
    assert main.locator(f'[data-mark="{st.assessors[1].name}"]').count() == 3
    assert not problems.take()

    sign_in(page, st.facilitator.email, problems)
    page.goto(f"/maturity/{aid}")
    _submit(page, main.get_by_role("button", name="Close scoring"))
    assert main.get_by_text("Scoring is closed; consolidate the levels.").count() == 1
    element = main.locator(f"#element-{ids[2]}")
    assert element.locator("[data-disagreement]").count() == 1  # 2 and 4
    element.get_by_label("Target", exact=True).select_option("5")
    element.get_by_label("Target rationale").fill("The board wants measured governance.")
    element.get_by_label("Recommendation").fill("Add the KPIs to the board pack.")
    _submit(page, element.get_by_role("button", name="Save"))
    assert main.get_by_text("Element saved.").count() == 1
    page.goto(f"/maturity/{aid}")
    _submit(page, main.get_by_role("button", name="Publish"))
    assert main.get_by_text("The assessment is published.").count() == 1
    assert main.locator("#locked").count() == 1
    assert main.locator("#radar svg").count() == 1
    screenshot(page, "maturity-published.png")
    assert not problems.take()

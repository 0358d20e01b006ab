"""A contract through its lifecycle in the system Chromium: the co-ordinator submits it, the
board chair approves it, the sponsor signs it (entering the password again) and downloads the
Word document. Console errors, CSP violations and HTTP errors fail the test (conftest)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def contract_cast(live_server: Any) -> Any:
    """A cast with logins and a complete draft contract, made through the services in the
    live server's database (the demo data is not relied on)."""
    from contract_factory import make_cast, make_contract
    from sqlmodel import Session

    from eagov.db import engine

    tag = "-ui" + uuid.uuid4().hex[:6]
    with live_server.app.app_context(), Session(engine(), expire_on_commit=False) as s:
        cast = make_cast(s, tag=tag)
        contract = make_contract(s, cast, title=f"Browser flow contract {tag}")
        return cast, contract.id, contract.reference


def sign_in(page: Any, email: str, problems: Any) -> None:
    from contract_factory import PASSWORD

    from browser.signin import sign_in as sign_in_with

    sign_in_with(page, email, PASSWORD, problems)


def open_contract(page: Any, contract_id: int, problems: Any) -> Any:
    response = page.goto(f"/contracts/{contract_id}")
    assert response is not None and response.status == 200
    assert not problems.take()
    return page.locator("main#main")


def click_and_wait(page: Any, target: Any) -> Any:
    with page.expect_navigation() as info:
        target.click()
    page.wait_for_load_state()
    assert info.value is not None and info.value.status == 200, info.value
    return info.value


def test_submit_approve_sign_and_download(
    page: Any, problems: Any, contract_cast: Any, screenshot: Any
) -> None:
    from contract_factory import PASSWORD

    cast, contract_id, reference = contract_cast
    main = page.locator("main#main")

    # The co-ordinator finds the contract in the list and submits it.
    sign_in(page, cast.coordinator.email, problems)
    page.goto(f"/contracts/?q={reference}")
    with page.expect_navigation():
        main.get_by_role("link", name=reference, exact=True).click()
    assert not problems.take()
    click_and_wait(page, main.get_by_role("button", name="Submit for review"))
    assert main.get_by_text("Submitted for review by the Architecture Board.").count() == 1
    assert main.locator('[aria-current="step"]').first.inner_text().strip() == "In review"
    assert not problems.take()

    # The chair approves: the content is frozen.
    sign_in(page, cast.chair.email, problems)
    open_contract(page, contract_id, problems)
    click_and_wait(page, main.get_by_role("button", name="Approve", exact=True))
    assert main.get_by_text("Frozen at approval").count() == 1
    assert main.locator('[aria-current="step"]').first.inner_text().strip() == "Approved"
    assert not problems.take()

    # The sponsor signs, entering the password again.
    sign_in(page, cast.sponsor.email, problems)
    open_contract(page, contract_id, problems)
    main.get_by_role("link", name="Sign as Architecture Sponsor").click()
    sign_form = main.locator("#sign")
    sign_form.get_by_label("Your password").fill(PASSWORD)
    click_and_wait(page, sign_form.get_by_role("button", name="Sign", exact=True))
    assert main.get_by_text("Signed.", exact=True).count() == 1
    row = main.locator('tr[data-capacity="sponsor"]')
    assert re.search(r"\bsigned\b", row.inner_text()) and "not signed" not in row.inner_text()
    assert main.locator("#sign").count() == 0  # nothing left for the sponsor to sign
    screenshot(page, "contract-signed-by-sponsor.png")
    assert not problems.take()

    # ... and downloads the Word document of the version.
    with page.expect_download() as info:
        main.get_by_role("link", name="Download Word document").first.click()
    download = info.value
    assert download.suggested_filename == f"{reference}-v1.docx"
    assert download.suggested_filename.endswith(".docx")
    assert not problems.take()

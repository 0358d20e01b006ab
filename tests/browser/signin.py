"""Signing in as another user in the same browser page."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, email: str, password: str, problems: Any) -> None:
    # Leave the old page first: Flask refreshes the session cookie on every response, so a
    # late response of the old page (a stylesheet, say) could set it again after clearing.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert not problems.take()

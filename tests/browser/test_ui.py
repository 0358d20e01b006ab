"""Click through the app as a person would, in the system Chromium: every area in the
navigation, the language switch, and editing an org unit. Console errors, uncaught
exceptions, CSP violations and HTTP errors fail the test (see ``problems`` in conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

# One worker runs the whole group (pytest -n auto --dist loadgroup): one browser, one server.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# (menu, link) as a person sees them in the navigation bar; menu None = a top-level link.
NAVIGATION: list[tuple[str | None, str]] = [
    (None, "Dashboard"),
    ("Organisation", "Org units"),
    ("Organisation", "Org chart"),
    ("Organisation", "People"),
    ("Organisation", "Positions"),
    ("Organisation", "Architecture Boards"),
    (None, "Contracts"),
    (None, "Reviews"),
    ("Board", "Meetings"),
    ("Board", "Decision log"),
    ("Board", "Actions"),
    ("Board", "My actions"),
    ("Board", "Governance KPIs"),
    (None, "Requests"),
    (None, "Maturity"),
    (None, "Skills"),
    (None, "Calendar"),
    ("Administration", "Audit log"),
    ("Administration", "Users"),
    ("Administration", "Reminder rules"),
    ("Administration", "Scheduler"),
    (None, "Notifications"),
]


def nav_click(page: Any, link: str, menu: str | None = None) -> Any:
    """Open ``link`` from the main navigation (opening its drop-down first); return the
    response of the page it leads to (after redirects)."""
    nav = page.get_by_role("navigation", name="Main")
    if menu:
        nav.get_by_role("button", name=menu, exact=True).click()
    target = nav.get_by_role("link", name=link, exact=True)
    with page.expect_navigation() as info:
        target.click()
    page.wait_for_load_state()
    return info.value


def assert_page_ok(page: Any, response: Any, problems: Any, what: str) -> None:
    assert response is not None, f"{what}: no response"
    assert response.status == 200, f"{what}: HTTP {response.status} at {response.url}"
    # The page rendered inside the layout, with something in it.
    main = page.locator("main#main")
    assert main.count() == 1, f"{what}: no <main> (is the page rendered from base.html?)"
    assert main.inner_text().strip(), f"{what}: the page is empty"
    found = problems.take()
    assert not found, f"{what}: the browser reported problems:\n" + "\n".join(found)


def test_every_area_in_the_navigation_loads(
    page: Any, login_admin: Callable[[], Any], problems: Any
) -> None:
    login_admin()
    failures: list[str] = []
    for menu, link in NAVIGATION:
        what = f"{menu} > {link}" if menu else link
        try:
            response = nav_click(page, link, menu)
            assert_page_ok(page, response, problems, what)
        except Exception as exc:  # collect all, so one broken page does not hide the others
            message = (str(exc).splitlines() or [type(exc).__name__])[0]
            failures.append(message if message.startswith(what) else f"{what}: {message}")
            problems.take()
            page.goto("/")
    assert not failures, "pages that failed:\n" + "\n".join(failures)


def test_language_switch_to_chinese_and_back(
    page: Any,
    login_admin: Callable[[], Any],
    problems: Any,
    screenshot: Callable[[Any, str], Any],
) -> None:
    login_admin()
    html = page.locator("html")
    assert html.get_attribute("lang") == "en"
    try:
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
        assert html.get_attribute("lang") == "zh-Hans"
        # The choice is kept on the account: the next page is still Chinese.
        page.goto("/")
        assert html.get_attribute("lang") == "zh-Hans"
        screenshot(page, "dashboard-zh-Hans.png")
    finally:
        # Switch back even when an assertion failed: the demo admin is shared.
        with page.expect_navigation():
            page.locator("button[name=lang][value=en]").click()
    assert html.get_attribute("lang") == "en"
    page.goto("/")
    assert html.get_attribute("lang") == "en"
    assert not problems.take()


def test_edit_an_org_unit(
    page: Any,
    login_admin: Callable[[], Any],
    problems: Any,
    screenshot: Callable[[Any, str], Any],
) -> None:
    login_admin()
    assert_page_ok(page, nav_click(page, "Org units", "Organisation"), problems, "Org units")

    main = page.locator("main#main")
    with page.expect_navigation() as info:
        main.get_by_role("link", name="Mortgages", exact=True).first.click()
    assert_page_ok(page, info.value, problems, "unit page")
    assert main.get_by_role("heading", name=re.compile("Mortgages")).count() >= 1

    with page.expect_navigation() as info:
        main.get_by_role("link", name=re.compile(r"^\s*Edit\b", re.IGNORECASE)).first.click()
    assert_page_ok(page, info.value, problems, "edit form")

    new_name = "Mortgages & Home Loans"
    name_field = main.get_by_label(re.compile(r"^\s*Name\b")).or_(main.locator("input[name=name]"))
    name_field.first.fill(new_name)
    with page.expect_navigation() as info:
        main.get_by_role("button", name=re.compile(r"^\s*(Save|Update)", re.IGNORECASE)).click()
    assert_page_ok(page, info.value, problems, "after saving")
    assert "/edit" not in page.url, "the form was shown again: " + main.inner_text()[:500]
    assert main.get_by_text(new_name).count() >= 1, "the new name is not shown"
    screenshot(page, "org-unit-edited.png")

"""Browser tests: the real app served on 127.0.0.1 with demo data, driven by Playwright in the
SYSTEM Chromium (never a downloaded browser). Tests carry ``@pytest.mark.browser`` and are
skipped, with the reason, when Chromium is not installed.

This folder is a package (``__init__.py``) so that this file does not shadow tests/conftest.py
as the module ``conftest``; keep it that way."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN = "admin@demo.eagov.example"


def find_chromium() -> str | None:
    explicit = os.environ.get("EAGOV_TEST_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = find_chromium()
NO_CHROMIUM = (
    f"no Chromium at {os.environ.get('EAGOV_TEST_CHROMIUM') or '/usr/bin/chromium or in PATH'}"
    " (apt-get install chromium fonts-noto-cjk)"
)


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; repeated here so `-p no:xdist` works with --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class LiveServer:
    url: str
    database_url: str
    app: Any


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app as `make run` serves it (migrated SQLite file, demo data, default cookie
    settings: Secure session cookies work on http://127.0.0.1), in a background thread."""
    from alembic import command
    from sqlmodel import Session
    from werkzeug.serving import make_server

    from eagov import create_app
    from eagov.demo import load_demo
    from eagov.migrations_info import alembic_config

    tmp = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{tmp / 'eagov.db'}"
    command.upgrade(alembic_config(database_url), "head")
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp / "instance"),
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    from eagov.db import engine

    with app.app_context(), Session(engine(), expire_on_commit=False) as s:
        load_demo(s)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", database_url, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            engine().dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Problems:
    """What the browser complained about: console errors, uncaught exceptions, CSP
    violations and failed requests (HTTP status 400 and above)."""

    items: list[str] = field(default_factory=list)

    def take(self) -> list[str]:
        found, self.items = self.items, []
        return found


# Report CSP violations through the console, which the collector below watches.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
                + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Any, live_server: LiveServer, problems: Problems) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    pg = context.new_page()

    def on_console(msg: Any) -> None:
        url = msg.location.get("url") or ""
        # Chromium asks for /favicon.ico by itself; a missing icon is not a page error.
        if msg.type == "error" and not url.endswith("/favicon.ico"):
            problems.items.append(f"console.{msg.type}: {msg.text} ({url})")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: problems.items.append(f"uncaught exception: {exc}"))
    pg.on(
        "response",
        lambda r: (
            problems.items.append(f"HTTP {r.status} for {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def login_admin(page: Any, problems: Problems) -> Callable[[], Any]:
    """Sign in through the login form as the demo admin; leaves the page on the dashboard."""
    from eagov.demo import DEMO_PASSWORD

    def do() -> Any:
        page.goto("/login")
        page.get_by_label("E-mail address").fill(ADMIN)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        # A language left over from an interrupted run must not change the link names.
        if page.locator("html").get_attribute("lang") != "en":
            with page.expect_navigation():
                page.locator("button[name=lang][value=en]").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert not problems.take()
        return page

    return do


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, "name.png")`` -> test-artifacts/name.png (gitignored), for people."""

    def take(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

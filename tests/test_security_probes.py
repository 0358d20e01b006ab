"""Attack probes: stored XSS in every free-text column, path traversal on every download,
open redirects on sign-in. See docs/security.md."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from conftest import csrf_from, login
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError
from sqlmodel import AutoString, Session
from werkzeug.routing import IntegerConverter

from eagov import richtext, storage
from eagov.demo import load_demo
from eagov.errors import Invalid
from eagov.models import Role, metadata
from eagov.schemas.contracts import DeliverableProgress
from eagov.schemas.reviews import AnswerIn

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
LINK = "[x](javascript:alert(1))"
# Short enough for the 100-character name columns; Text columns also get a Markdown link.
SHORT = SCRIPT + IMG
LONG = SHORT + " " + LINK + " <a href='javascript:alert(1)'>y</a>"
# Plain columns that hold free text a person typed (the Text columns all do).
FREE_STRINGS = {
    "description",
    "evidence_name",
    "file_name",
    "location",
    "measured_value",
    "name",
    "note",
    "partner_name",
    "project",
    "requester_name",
    "signer_name",
    "target",
    "title",
}


class _Scan(HTMLParser):
    """Collects what a browser would execute: script bodies, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "alert" in value:
                self.found.append(f"<{tag} {name}={value}>")
            if name in {"href", "src", "action", "formaction"} and re.sub(
                r"[\s\x00-\x1f]", "", value
            ).startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(1)" in data:
            self.found.append(f"<script>{data}")


def executable(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    return scan.found


def test_the_scanner_sees_what_a_browser_would_run() -> None:
    raw = f"<p>{SCRIPT}</p><a href=' JaVaScRiPt:alert(1)'>x</a><img src=x onerror=alert(1)>"
    assert len(executable(raw)) == 3
    assert executable(richtext.to_html(LONG)) == []


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        IMG,
        LINK,
        LONG,
        "[x](JAVASCRIPT:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "<svg onload=alert(1)>",
        "<iframe src=//evil.example>",
    ],
)
def test_rich_text_is_safe_in_and_out(text: str) -> None:
    """Both stages: what is stored (clean) and what a page shows (to_html), each on its own."""
    for html in (richtext.to_html(text), richtext.to_html(richtext.clean(text))):
        assert executable(html) == []
        assert "<iframe" not in html and "<svg" not in html and 'href="data:' not in html


def _poison(session: Session) -> int:
    """Overwrite every free-text value in the database with payloads (bypassing the input
    cleaning, so what is tested is the escaping on the way out). Returns the columns hit."""
    hit = 0
    for table in metadata.sorted_tables:
        for col in table.columns:
            if col.foreign_keys or col.primary_key:
                continue
            if isinstance(col.type, sa.JSON):
                continue
            is_text = isinstance(col.type, sa.Text)
            if not (is_text or (col.name in FREE_STRINGS and isinstance(col.type, AutoString))):
                continue
            value = sa.literal(LONG if is_text else SHORT)
            if "id" in table.c:  # unique names stay unique
                value = value + sa.cast(table.c.id, sa.String)
            session.execute(table.update().where(col.is_not(None)).values({col.name: value}))
            hit += 1
    session.commit()
    return hit


def _pages(app: Flask) -> list[str]:
    """Every page with nothing but numeric ids in its path, for ids 1 and 2."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint.startswith(("api.", "static")):
            continue
        if "logout" in rule.endpoint or "bootstrap" in rule.endpoint:
            continue
        if not all(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        for n in (1, 2):
            urls.append(re.sub(r"<int:\w+>", str(n), rule.rule))
    return sorted(set(urls))


@pytest.fixture
def poisoned(app: Flask, session: Session, client: FlaskClient, make_user: Any) -> FlaskClient:
    load_demo(session)
    admin = make_user(*list(Role))
    assert _poison(session) > 40
    assert login(client, admin.email).status_code == 302
    return client


def test_no_page_runs_a_stored_payload(app: Flask, poisoned: FlaskClient) -> None:
    shown = 0
    problems: dict[str, Any] = {}
    for url in _pages(app):
        resp = poisoned.get(url)
        if resp.status_code >= 500:
            problems[url] = resp.status_code
            continue
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        found = executable(resp.text)
        if found:
            problems[url] = found[:3]
        if "alert(1)" in resp.text:
            shown += 1
    assert problems == {}
    # The probe means something only if payloads reached pages (escaped).
    assert shown >= 60, shown


@pytest.mark.parametrize("schema", [DeliverableProgress, AnswerIn], ids=["deliverable", "answer"])
@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example",
        "vbscript:x",
    ],
)
def test_evidence_links_must_be_web_addresses(schema: Any, link: str) -> None:
    """Pages put evidence links in href attributes as stored: only http(s) may get in."""
    with pytest.raises(ValidationError) as exc:
        schema.model_validate({"evidence_link": link})
    assert ("evidence_link",) in [e["loc"] for e in exc.value.errors()]


# --- path traversal ---------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../instance/canary.txt",
    "/static/..%2f..%2finstance%2fcanary.txt",
    "/static/%2e%2e/%2e%2e/instance/canary.txt",
    "/static/....//....//instance/canary.txt",
    "/static/..%5c..%5cinstance%5ccanary.txt",
    "/contracts/deliverables/..%2F..%2Fcanary.txt/evidence",
    "/contracts/deliverables/0/evidence",
    "/contracts/deliverables/-1/evidence",
    "/reviews/items/../../canary.txt/evidence",
    "/reviews/items/1%2F..%2F..%2Fcanary.txt/evidence",
    "/reviews/items/1/evidence?file=../canary.txt",
    "/meetings/papers/..%2Fcanary.txt",
    "/meetings/papers/%2e%2e%2fcanary.txt",
    "/meetings/papers/99999999999999999999",
    "/calendar/feed/..%2F..%2Fcanary.txt.ics",
    "/calendar/feed/%2e%2e%2f%2e%2e%2fcanary.ics",
    "/api/v1/deliverables/..%2Fcanary.txt/evidence",
    "/api/v1/deliverables/0/evidence",
    "/api/v1/meeting-papers/..%2F..%2Fcanary.txt/file",
    "/api/v1/meeting-papers/01/file",
    "/api/v1/meeting-papers/2147483648/file",
    "/api/v1/meeting-papers/1%00/file",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_downloads_never_leave_the_storage_folder(
    app: Flask, client: FlaskClient, make_user: Any, api_token: Any, url: str
) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "canary.txt").write_text("CANARY-SECRET")
    (instance / "evidence").mkdir(exist_ok=True)
    _user, headers = api_token(*list(Role))
    assert login(client, make_user(*list(Role)).email).status_code == 302
    resp = client.get(url, headers=headers if url.startswith("/api/") else {})
    assert resp.status_code in {400, 404}, (url, resp.status_code)
    assert b"CANARY-SECRET" not in resp.data


@pytest.mark.parametrize(
    "name", ["", "../canary.txt", "..", "/etc/passwd", "a/../b", "ABCDEF", "ab\x00cd", "%2e%2e"]
)
def test_stored_file_names_cannot_name_another_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(Invalid):
        storage.path_of(tmp_path, name)


# --- open redirect ----------------------------------------------------------------------------

NEXTS = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "///evil.example",
    "/.//evil.example",
    "\x00//evil.example",
    "https://localhost@evil.example",
]


def _stays_here(location: str) -> bool:
    parts = urlsplit(location)
    return (
        parts.netloc in {"", "localhost"}
        and parts.scheme in {"", "http", "https"}
        and "\\" not in location
        and not location.startswith("//")
        and "evil.example" not in parts.netloc
    )


@pytest.mark.parametrize("target", NEXTS)
def test_sign_in_never_redirects_off_site(client: FlaskClient, make_user: Any, target: str) -> None:
    user = make_user("viewer")
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert executable(page.text) == []
    resp = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct-horse-battery",
            "next": target,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert resp.status_code == 302
    assert _stays_here(resp.headers["Location"]), resp.headers["Location"]
    # Signed in already: the same check on the short-cut path.
    again = client.get("/login", query_string={"next": target})
    assert _stays_here(again.headers["Location"]), again.headers["Location"]


def test_a_same_site_next_is_kept(client: FlaskClient, make_user: Any) -> None:
    user = make_user("viewer")
    page = client.get("/login?next=/contracts/")
    resp = client.post(
        "/login?next=/contracts/",
        data={
            "email": user.email,
            "password": "correct-horse-battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert urlsplit(resp.headers["Location"]).path == "/contracts/"

"""Every rule of the URL map, every method, for every role and for an anonymous visitor,
against the one table in route_permissions.py.

The probe: one database filled with the demonstration data (so that the sample ids exist) and
one user per role with an API token, copied afresh for each identity so that what one identity
changes with its POSTs cannot change what another sees. Pages are called with the session
cookie, the API with the bearer token; CSRF is off so that it is the permission check that
answers. Each POST/PUT/PATCH/DELETE sends an empty form (pages) or an empty JSON object (API):
the answer is then a refusal (401/403, or a redirect to the login page) or anything else (a
404, 409, 412, 422 or 428 still means the caller got past the permission check).

To regenerate the table after adding routes: ``.venv/bin/python tests/test_route_permissions.py``
prints the observed table; review every changed line against eagov/permissions.py before
pasting it into route_permissions.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, make_app
from flask import Flask
from route_permissions import ANONYMOUS, IDENTITIES, SIGNED_IN, TABLE
from sqlmodel import Session, select
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from eagov.models import metadata
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate, UserCreate
from eagov.services import accounts

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Answers that refuse the request itself (its body, its If-Match, the record's state) before
# any role is checked.
INPUT_FIRST_STATUSES = {400, 409, 412, 415, 422, 428}
# Signing out would end the probe's own session: it is checked last.
LAST = {"auth.logout"}
SIGN_IN_OUT = {"auth.login", "auth.logout"}


def route_key(rule: Rule, method: str) -> tuple[str, str]:
    return method, rule.rule


def probed_rules(app: Flask) -> list[tuple[Rule, str]]:
    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    pairs.sort(key=lambda p: (p[0].endpoint in LAST, p[1] in WRITE_METHODS, p[0].rule, p[1]))
    return pairs


class Fixture:
    """The template database and what the probe needs to know about it."""

    def __init__(self, db: Path, tokens: dict[str, str], strings: dict[str, str]) -> None:
        self.db = db
        self.tokens = tokens
        self.strings = strings


def build_template(root: Path) -> Fixture:
    from eagov.demo import load_demo
    from eagov.models.skills import RoleRequirement, Skill, SkillRole

    db = root / "template.db"
    app = make_app(f"sqlite:///{db}", root)
    eng = app.extensions["eagov.engine"]
    metadata.create_all(eng)
    tokens: dict[str, str] = {}
    with app.app_context(), Session(eng, expire_on_commit=False) as s:
        load_demo(s)
        # The sample id 1 must name somebody else's token, or the admin would revoke its own.
        owner, _ = accounts.create_user(
            s,
            SYSTEM,
            UserCreate(
                email="probe-sample@example.com",
                name="Sample",
                roles=["viewer"],  # type: ignore[list-item]
                password=PASSWORD,
            ),
        )
        accounts.create_token(s, SYSTEM, TokenCreate(name="sample"), user_id=owner.id)
        for role in IDENTITIES:
            if role == ANONYMOUS:
                continue
            user, _ = accounts.create_user(
                s,
                SYSTEM,
                UserCreate(
                    email=f"probe-{role}@example.com",
                    name=f"Probe {role}",
                    roles=[role],  # type: ignore[list-item]
                    password=PASSWORD,
                ),
            )
            _tok, tokens[role] = accounts.create_token(
                s, SYSTEM, TokenCreate(name="probe"), user_id=user.id
            )
        req = s.exec(select(RoleRequirement)).first()
        role = s.get(SkillRole, req.role_id) if req else None
        skill = s.get(Skill, req.skill_id) if req else None
        strings = {"key": role.key if role else "x", "skill_key": skill.key if skill else "x"}
    eng.dispose()
    return Fixture(db, tokens, strings)


def sample_url(rule: Rule, strings: dict[str, str]) -> str:
    values: dict[str, Any] = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if isinstance(converter, IntegerConverter):
            values[arg] = 1
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]
        else:
            values[arg] = strings.get(arg, "x")
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def refused(resp: Any, endpoint: str) -> bool:
    if endpoint in SIGN_IN_OUT:
        return False  # open to all: they answer with the login page or a redirect to it
    if resp.status_code in (401, 403):
        return True
    return resp.status_code == 302 and resp.headers.get("Location", "").startswith("/login")


def observe(
    fixture: Fixture, identity: str, workdir: Path
) -> dict[tuple[str, str], tuple[bool, int]]:
    """(method, rule) -> (allowed, status), for one identity on its own copy of the template."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{identity}.db"
    shutil.copy(fixture.db, db)
    app = make_app(f"sqlite:///{db}", workdir, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    headers: dict[str, str] = {}
    if identity != ANONYMOUS:
        resp = client.post(
            "/login", data={"email": f"probe-{identity}@example.com", "password": PASSWORD}
        )
        assert resp.status_code == 302, resp.text
        headers = {"Authorization": f"Bearer {fixture.tokens[identity]}"}
    seen: dict[tuple[str, str], tuple[bool, int]] = {}
    try:
        for rule, method in probed_rules(app):
            url = sample_url(rule, fixture.strings)
            kwargs: dict[str, Any] = {"method": method}
            if url.startswith("/api/"):
                kwargs["headers"] = headers
                if method in WRITE_METHODS:
                    kwargs["json"] = {}
            elif method in WRITE_METHODS:
                kwargs["data"] = {}
            resp = client.open(url, **kwargs)
            seen[route_key(rule, method)] = (not refused(resp, rule.endpoint), resp.status_code)
    finally:
        app.extensions["eagov.engine"].dispose()
    return seen


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixture]:
    yield build_template(tmp_path_factory.mktemp("route-permissions"))


def test_the_table_names_every_route_of_the_url_map(app: Flask) -> None:
    routes = {route_key(rule, m) for rule, m in probed_rules(app)}
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"routes missing from tests/route_permissions.py: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_route_allows_exactly_the_roles_of_the_table(
    template: Fixture, identity: str, tmp_path: Path
) -> None:
    seen = observe(template, identity, tmp_path)
    wrong = [
        f"{method} {rule}: table says {'allowed' if TABLE[(method, rule)] else 'refused'}"
        for (method, rule), (allowed, _status) in sorted(seen.items())
        if (identity in TABLE.get((method, rule), frozenset())) != allowed
    ]
    assert not wrong, f"{identity}: " + "; ".join(wrong)


def _main() -> None:  # pragma: no cover - the generator of the table's first version
    import tempfile

    root = Path(tempfile.mkdtemp())
    fixture = build_template(root)
    columns = {ident: observe(fixture, ident, root / ident) for ident in IDENTITIES}
    raw = {
        f"{m} {r}": {i: columns[i][(m, r)][1] for i in IDENTITIES} for (m, r) in columns[ANONYMOUS]
    }
    (root / "statuses.json").write_text(json.dumps(raw, indent=1))
    print(f"# statuses in {root / 'statuses.json'}")
    keys = sorted(next(iter(columns.values())))
    for key in keys:
        allowed = [ident for ident in IDENTITIES if columns[ident][key][0]]
        statuses = {columns[ident][key][1] for ident in IDENTITIES if ident != ANONYMOUS}
        print(f"    {key!r}: {_roles_literal(allowed, statuses)},")


def _roles_literal(allowed: list[str], statuses: set[int]) -> str:
    from route_permissions import NAMED_SETS

    if set(allowed) == set(SIGNED_IN) and statuses <= INPUT_FIRST_STATUSES:
        return "INPUT_CHECKED_FIRST"
    for name, members in NAMED_SETS.items():
        if set(allowed) == set(members):
            return name
    return "frozenset({" + ", ".join(repr(a) for a in allowed) + "})"


if __name__ == "__main__":
    _main()

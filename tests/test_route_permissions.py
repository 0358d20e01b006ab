"""Every rule of the URL map, every method, for every role and for an anonymous visitor,
against the one table in route_permissions.py.

The probe: one database filled with the demonstration data (so that the sample ids exist) and
one user per role with an API token, copied afresh for each identity so that what one identity
changes with its POSTs cannot change what another sees. Pages are called with the session
cookie, the API with the bearer token; CSRF is off so that it is the permission check that
answers. Each POST/PUT/PATCH/DELETE sends an empty form (pages) or an empty JSON object (API):
the answer is then a refusal (401/403, or a redirect to the login page) or anything else (a
404, 409, 412, 422 or 428 still means the caller got past the permission check).

An empty request proves nothing about the role where the input or the record's state is
checked before it (every role would get the same 4xx): for those routes route_bodies.py builds
a valid request, in the identity's database, and the roles the table allows must then succeed
(below 400) while the others are refused (401/403, or 404 for a record hidden from them).

Every write has such a recipe, but for the few of NO_RECIPE (signing in and out, and the
public links whose token is the credential), each with its reason: a new write route without
one fails test_every_write_route_has_a_recipe_or_a_reason.

To regenerate the table after adding routes: ``.venv/bin/python tests/test_route_permissions.py``
prints the observed table; review every changed line against eagov/permissions.py before
pasting it into route_permissions.py. A line marked "needs a recipe" is a write without a
valid request in route_bodies.py: add one.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import PASSWORD, make_app
from flask import Flask
from route_bodies import RECIPES, Call, Ctx
from route_permissions import ANONYMOUS, IDENTITIES, SIGNED_IN, TABLE
from sqlmodel import Session, col, select
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
# The only writes without a valid request in route_bodies.py, and why. Every other write must
# come with a recipe, so that the roles of its row are shown to succeed, not just to get past
# the permission check with a 4xx.
NO_RECIPE = {
    ("POST", "/login"): "signing in: open to everyone; an empty form is a failed sign-in",
    ("POST", "/logout"): "signing out ends the probe's own session (it is probed last)",
    ("POST", "/invite/<token>"): (
        "open to everyone, the link is the credential; accepting signs the browser in as the "
        "invited user, which would end the probe's identity (tests/test_accounts.py)"
    ),
    ("POST", "/survey/<token>"): (
        "open to everyone, the link (sent by e-mail, only its hash stored) is the credential "
        "(tests/test_surveys.py)"
    ),
}


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

    def __init__(
        self, db: Path, tokens: dict[str, str], strings: dict[str, str], sponsor: int
    ) -> None:
        self.db = db
        self.tokens = tokens
        self.strings = strings
        self.sponsor = sponsor  # the person who sponsors the demonstration's contracts


def build_template(root: Path) -> Fixture:
    from eagov.demo import load_demo
    from eagov.models.contracts import ContractVersion
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
                roles=["viewer"],
                password=PASSWORD,
            ),
        )
        accounts.create_token(s, SYSTEM, TokenCreate(name="sample"), user_id=owner.id)
        for ident in IDENTITIES:
            if ident == ANONYMOUS:
                continue
            user, _ = accounts.create_user(
                s,
                SYSTEM,
                UserCreate(
                    email=f"probe-{ident}@example.com",
                    name=f"Probe {ident}",
                    roles=[ident],
                    password=PASSWORD,
                ),
            )
            _tok, tokens[ident] = accounts.create_token(
                s, SYSTEM, TokenCreate(name="probe"), user_id=user.id
            )
        req = s.exec(select(RoleRequirement)).first()
        role = s.get(SkillRole, req.role_id) if req else None
        skill = s.get(Skill, req.skill_id) if req else None
        strings = {"key": role.key if role else "x", "skill_key": skill.key if skill else "x"}
        sponsor = s.exec(
            select(ContractVersion.sponsor_id).order_by(col(ContractVersion.id))
        ).first()
        assert sponsor is not None
    eng.dispose()
    return Fixture(db, tokens, strings, sponsor)


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


def refused(resp: Any, endpoint: str, valid: bool = False) -> bool:
    if endpoint in SIGN_IN_OUT:
        return False  # open to all: they answer with the login page or a redirect to it
    if resp.status_code in (401, 403):
        return True
    if valid and resp.status_code == 404:
        return True  # the record exists (the request succeeds for others): hidden from this caller
    return resp.status_code == 302 and resp.headers.get("Location", "").startswith("/login")


def why(resp: Any) -> str:
    """What a refused request was told: the problem document, or a page's messages."""
    if resp.status_code < 400:
        return ""
    if resp.is_json:
        return str(resp.get_json())[:300]
    return " ".join(re.findall(r"(?:alert[^>]*|invalid-feedback[^>]*)>\s*([^<]+)", resp.text))[:300]


class Seen(NamedTuple):
    allowed: bool
    status: int
    valid: bool  # a recipe of route_bodies.py sent a valid request
    detail: str


def observe(fixture: Fixture, identity: str, workdir: Path) -> dict[tuple[str, str], Seen]:
    """(method, rule) -> what this identity got, on its own copy of the template."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{identity}.db"
    shutil.copy(fixture.db, db)
    if identity != ANONYMOUS:
        # Every identity sponsors the demonstration's contracts, so that a sponsor or a
        # contributor sees them and it is the role that answers, not "not yours" (404).
        with sqlite3.connect(db) as con:
            con.execute(
                "UPDATE person SET user_id = (SELECT id FROM user WHERE email = ?) WHERE id = ?",
                (f"probe-{identity}@example.com", fixture.sponsor),
            )
    app = make_app(f"sqlite:///{db}", workdir, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    headers: dict[str, str] = {}
    if identity != ANONYMOUS:
        resp = client.post(
            "/login", data={"email": f"probe-{identity}@example.com", "password": PASSWORD}
        )
        assert resp.status_code == 302, resp.text
        headers = {"Authorization": f"Bearer {fixture.tokens[identity]}"}
    person = fixture.sponsor if identity != ANONYMOUS else None
    ctx = Ctx(app, client, identity, fixture.tokens, fixture.strings, person)
    seen: dict[tuple[str, str], Seen] = {}
    try:
        for rule, method in probed_rules(app):
            key = route_key(rule, method)
            recipe = RECIPES.get(key)
            call = recipe(ctx) if recipe else Call(sample_url(rule, fixture.strings))
            kwargs: dict[str, Any] = {"method": method, "headers": dict(call.headers)}
            if call.url.startswith("/api/"):
                kwargs["headers"].update(headers)
                if call.data is not None:
                    kwargs["data"] = call.data  # a file upload
                elif method in WRITE_METHODS:
                    kwargs["json"] = {} if call.json is None else call.json
            elif method in WRITE_METHODS:
                kwargs["data"] = call.data or {}
            resp = client.open(call.url, **kwargs)
            allowed = not refused(resp, rule.endpoint, valid=recipe is not None)
            seen[key] = Seen(allowed, resp.status_code, recipe is not None, why(resp))
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
    stale_recipes = sorted(RECIPES.keys() - routes)
    assert not stale_recipes, f"recipes for routes that no longer exist: {stale_recipes}"


def write_routes_without_a_recipe(app: Flask) -> list[tuple[str, str]]:
    writes = {route_key(rule, m) for rule, m in probed_rules(app) if m in WRITE_METHODS}
    return sorted(writes - RECIPES.keys() - NO_RECIPE.keys())


def test_every_write_route_has_a_recipe_or_a_reason(app: Flask) -> None:
    missing = write_routes_without_a_recipe(app)
    assert not missing, (
        "write routes without a valid request in tests/route_bodies.py (add a recipe, or a "
        f"reason to NO_RECIPE): {missing}"
    )
    both = sorted(NO_RECIPE.keys() & RECIPES.keys())
    assert not both, f"routes with a recipe that NO_RECIPE still excuses: {both}"
    routes = {route_key(rule, m) for rule, m in probed_rules(app)}
    stale = sorted(NO_RECIPE.keys() - routes)
    assert not stale, f"NO_RECIPE names routes that no longer exist: {stale}"


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_route_allows_exactly_the_roles_of_the_table(
    template: Fixture, identity: str, tmp_path: Path
) -> None:
    seen = observe(template, identity, tmp_path)
    wrong = [
        f"{method} {rule}: table says {'refused' if got.allowed else 'allowed'}"
        f" ({got.status} {got.detail})"
        for (method, rule), got in sorted(seen.items())
        if (identity in TABLE.get((method, rule), frozenset())) != got.allowed
    ]
    # A valid request must succeed for the roles the table allows: otherwise a 4xx of the
    # request itself would hide whether the role is checked at all.
    failed = [
        f"{method} {rule}: {got.status} {got.detail}"
        for (method, rule), got in sorted(seen.items())
        if got.valid and got.allowed and got.status >= 400
    ]
    assert not wrong and not failed, (
        f"{identity}: "
        + "; ".join(wrong)
        + " | recipes of route_bodies.py that fail: "
        + "; ".join(failed)
    )


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
        if key[0] in WRITE_METHODS and key not in RECIPES and key not in NO_RECIPE:
            print("    # needs a recipe in route_bodies.py: a write without a valid request")
        elif set(allowed) == set(SIGNED_IN) and statuses <= INPUT_FIRST_STATUSES:
            print("    # every role got a 4xx: the recipe's request is not valid")
        print(f"    {key!r}: {_roles_literal(allowed)},")


def _roles_literal(allowed: list[str]) -> str:
    from route_permissions import NAMED_SETS

    for name, members in NAMED_SETS.items():
        if set(allowed) == set(members):
            return name
    return "frozenset({" + ", ".join(repr(a) for a in allowed) + "})"


if __name__ == "__main__":
    _main()

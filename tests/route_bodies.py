"""Valid requests for the routes that check their input or the record's state before the role.

An empty request is refused with a 4xx for every role before such a route's service checks the
role, so the probe of tests/test_route_permissions.py sends these requests instead: each recipe
returns, for one identity on its own copy of the demonstration database, a request that
succeeds for a role allowed to make it (the probe checks that) and so can only be refused for
the role. A recipe finds the records it needs in the database, in the state the operation needs
(a draft contract to edit, a scoring assessment to close), reads the version to send (If-Match
for the API, the hidden ``version`` field for pages) at the moment it runs, and creates through
the API, as a role that may, what its request then changes or removes, so that the order of the
probe (all the reads first, then the writes in the order of the rules) does not matter; what
no operation makes (a failed e-mail, a user's notification, a password to change back, a
framework not imported yet) is set in the database, each saying why. Where
only a named person may act (a signatory, a facilitator, an assignee, a review's lead
architect), the setup names this identity (the probe links it to the demonstration's sponsor,
``ctx.person``), so that the row shows which roles the service then lets through.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlmodel import Session, col, select

import eagov
from eagov.contract_types import spec
from eagov.models.accounts import ApiToken, User
from eagov.models.checklists import ChecklistLibrary
from eagov.models.contracts import (
    Capacity,
    Contract,
    ContractMetric,
    ContractVersion,
    Deliverable,
)
from eagov.models.maturity import MaturityAssessment, MaturityElement, MaturityModel
from eagov.models.meetings import Action, AgendaItem, Attendance, Meeting, MeetingPaper
from eagov.models.org import Board, OrgUnit, Person, Position
from eagov.models.reminders import Notification, NotificationStatus, ReminderRule
from eagov.models.requests import GovernanceRequest
from eagov.models.reviews import Dispensation, Finding, Review, ReviewItem
from eagov.models.skills import (
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillFramework,
    SkillRole,
)
from eagov.schemas.contracts import VersionContent
from eagov.services.accounts import hash_password
from eagov.services.delivery import unsubscribe_token

LIBRARY = Path(eagov.__file__).parent / "library"
TODAY = date.today()
SOON = (TODAY + timedelta(days=30)).isoformat()
LATER = (TODAY + timedelta(days=90)).isoformat()


@dataclass
class Call:
    """The request a recipe sends: JSON for the API, a form (or files) for pages."""

    url: str
    json: Any = None
    data: dict[str, Any] | None = None  # a form; for the API, a multipart upload
    headers: dict[str, str] = field(default_factory=dict)


class Ctx:
    """What a recipe may use: the identity's database and the API as any role, for setting up."""

    def __init__(
        self,
        app: Flask,
        client: FlaskClient,
        identity: str,
        tokens: dict[str, str],
        strings: dict[str, str],
        person: int | None,
    ) -> None:
        self.app = app
        self.person = person  # this identity's person (None: anonymous)
        self.client = client
        self.identity = identity
        self.tokens = tokens
        self.strings = strings
        self._serial = itertools.count(1)

    def number(self) -> int:
        return next(self._serial)

    def unique(self, prefix: str) -> str:
        return f"{prefix} {self.identity} {self.number()}"

    def session(self) -> Session:
        return Session(self.app.extensions["eagov.engine"])

    def pick(self, model: Any, *where: Any) -> int:
        """The smallest id of a row of ``model`` matching ``where``."""
        with self.session() as s:
            found = s.exec(select(model.id).where(*where).order_by(model.id)).first()
        assert found is not None, f"no {model.__name__} matching {where}"
        return int(found)

    def version(self, model: Any, row_id: int) -> int:
        with self.session() as s:
            row = s.get(model, row_id)
            assert row is not None, f"no {model.__name__} {row_id}"
            return int(row.version)

    def if_match(self, model: Any, row_id: int) -> dict[str, str]:
        return {"If-Match": f'"{self.version(model, row_id)}"'}

    def user_id(self, identity: str | None = None) -> int:
        """The user of ``identity`` (default: this one; an anonymous visitor: the sample
        user, whom no identity signs in as)."""
        role = identity or self.identity
        email = f"probe-{role}@example.com" if role != "anonymous" else "probe-sample@example.com"
        return self.pick(User, User.email == email)

    def api(self, role: str, method: str, url: str, json: Any = None, **headers: str) -> Any:
        """Set up as ``role`` through the API; the setup itself must succeed."""
        resp = self.client.open(
            "/api/v1" + url,
            method=method,
            json={} if json is None and method != "GET" else json,
            headers={"Authorization": f"Bearer {self.tokens[role]}", **headers},
        )
        assert resp.status_code < 400, f"setup {method} {url} as {role}: {resp.text}"
        return resp.get_json(silent=True)

    def api_if_match(
        self, role: str, method: str, url: str, json: Any = None, etag_of: str = ""
    ) -> Any:
        """Set up with If-Match, the ETag read from ``etag_of`` (default: ``url``)."""
        resp = self.client.get(
            "/api/v1" + (etag_of or url), headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )
        assert resp.status_code == 200, resp.text
        return self.api(role, method, url, json, **{"If-Match": resp.headers["ETag"]})


Recipe = Callable[[Ctx], Call]
RECIPES: dict[tuple[str, str], Recipe] = {}


def recipe(method: str, rule: str) -> Callable[[Recipe], Recipe]:
    def add(fn: Recipe) -> Recipe:
        assert (method, rule) not in RECIPES, (method, rule)
        RECIPES[(method, rule)] = fn
        return fn

    return add


def api_put_same(path: str, model: Any, row_id: int, body: dict[str, Any], ctx: Ctx) -> Call:
    return Call(f"/api/v1{path}", json=body, headers=ctx.if_match(model, row_id))


# --- People, units, boards -------------------------------------------------------------------


def new_person(ctx: Ctx) -> int:
    made = ctx.api(
        "admin",
        "POST",
        "/people",
        {"name": ctx.unique("Person"), "email": f"p{ctx.number()}@probe.example"},
    )
    return int(made["id"])


def new_unit(ctx: Ctx) -> int:
    made = ctx.api("admin", "POST", "/org-units", {"name": ctx.unique("Unit"), "kind": "team"})
    return int(made["id"])


@recipe("POST", "/api/v1/people")
def _(ctx: Ctx) -> Call:
    body = {"name": ctx.unique("Person"), "email": f"new{ctx.number()}@probe.example"}
    return Call("/api/v1/people", json=body)


@recipe("PUT", "/api/v1/people/<id:person_id>")
def _(ctx: Ctx) -> Call:
    pid = new_person(ctx)
    body = {"name": ctx.unique("Renamed"), "email": f"renamed{pid}@probe.example"}
    return api_put_same(f"/people/{pid}", Person, pid, body, ctx)


@recipe("DELETE", "/api/v1/people/<id:person_id>")
def _(ctx: Ctx) -> Call:
    pid = new_person(ctx)
    return Call(f"/api/v1/people/{pid}", headers=ctx.if_match(Person, pid))


@recipe("POST", "/api/v1/org-units")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/org-units", json={"name": ctx.unique("Unit"), "kind": "team"})


@recipe("PUT", "/api/v1/org-units/<id:unit_id>")
def _(ctx: Ctx) -> Call:
    uid = new_unit(ctx)
    body = {"name": ctx.unique("Renamed"), "kind": "team"}
    return api_put_same(f"/org-units/{uid}", OrgUnit, uid, body, ctx)


@recipe("DELETE", "/api/v1/org-units/<id:unit_id>")
def _(ctx: Ctx) -> Call:
    uid = new_unit(ctx)
    return Call(f"/api/v1/org-units/{uid}", headers=ctx.if_match(OrgUnit, uid))


@recipe("POST", "/api/v1/org-links")
def _(ctx: Ctx) -> Call:
    a, b = new_unit(ctx), new_unit(ctx)
    return Call("/api/v1/org-links", json={"from_unit_id": a, "to_unit_id": b})


def new_position(ctx: Ctx) -> int:
    unit = ctx.pick(OrgUnit)
    made = ctx.api(
        "admin", "POST", "/positions", {"title": ctx.unique("Post"), "org_unit_id": unit}
    )
    return int(made["id"])


@recipe("POST", "/api/v1/positions")
def _(ctx: Ctx) -> Call:
    body = {"title": ctx.unique("Post"), "org_unit_id": ctx.pick(OrgUnit)}
    return Call("/api/v1/positions", json=body)


@recipe("PUT", "/api/v1/positions/<id:position_id>")
def _(ctx: Ctx) -> Call:
    pos = new_position(ctx)
    body = {"title": ctx.unique("Renamed"), "org_unit_id": ctx.pick(OrgUnit)}
    return api_put_same(f"/positions/{pos}", Position, pos, body, ctx)


@recipe("DELETE", "/api/v1/positions/<id:position_id>")
def _(ctx: Ctx) -> Call:
    pos = new_position(ctx)
    return Call(f"/api/v1/positions/{pos}", headers=ctx.if_match(Position, pos))


@recipe("POST", "/api/v1/boards")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/boards", json={"name": ctx.unique("Board"), "level": "global"})


@recipe("PUT", "/api/v1/boards/<id:board_id>")
def _(ctx: Ctx) -> Call:
    made = ctx.api("admin", "POST", "/boards", {"name": ctx.unique("Board"), "level": "global"})
    bid = int(made["id"])
    body = {"name": ctx.unique("Renamed"), "level": "global"}
    return api_put_same(f"/boards/{bid}", Board, bid, body, ctx)


@recipe("POST", "/api/v1/boards/<id:board_id>/members")
def _(ctx: Ctx) -> Call:
    body = {"person_id": new_person(ctx), "term_start": TODAY.isoformat()}
    return Call(f"/api/v1/boards/{ctx.pick(Board)}/members", json=body)


@recipe("POST", "/api/v1/boards/<id:board_id>/members/<id:member_id>/end-term")
def _(ctx: Ctx) -> Call:
    board = ctx.pick(Board)
    body = {"person_id": new_person(ctx), "term_start": "2020-01-01"}
    member = ctx.api("admin", "POST", f"/boards/{board}/members", body)
    return Call(
        f"/api/v1/boards/{board}/members/{member['id']}/end-term",
        json={"term_end": TODAY.isoformat()},
    )


# --- Accounts --------------------------------------------------------------------------------


@recipe("POST", "/api/v1/users")
def _(ctx: Ctx) -> Call:
    body = {"email": "new-user@probe.example", "name": "New user", "roles": ["viewer"]}
    return Call("/api/v1/users", json=body)


@recipe("PUT", "/api/v1/users/<id:user_id>")
def _(ctx: Ctx) -> Call:
    uid = ctx.user_id("anonymous")  # the sample user: somebody else
    return Call(
        f"/api/v1/users/{uid}",
        json={"name": "Renamed", "roles": ["viewer"]},
        headers=ctx.if_match(User, uid),
    )


@recipe("PUT", "/api/v1/users/me")
def _(ctx: Ctx) -> Call:
    uid = ctx.user_id()
    return Call("/api/v1/users/me", json={"name": "Me"}, headers=ctx.if_match(User, uid))


@recipe("POST", "/api/v1/tokens")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/tokens", json={"name": "another"})


# --- Actions ---------------------------------------------------------------------------------


def open_action(ctx: Ctx) -> int:
    body = {"description": ctx.unique("Action"), "owner_id": ctx.pick(Person), "board_id": 1}
    return int(ctx.api("admin", "POST", "/actions", body)["id"])


@recipe("POST", "/api/v1/actions")
def _(ctx: Ctx) -> Call:
    return Call(
        "/api/v1/actions",
        json={"description": "Do it", "owner_id": ctx.pick(Person), "board_id": 1},
    )


@recipe("PATCH", "/api/v1/actions/<id:action_id>")
def _(ctx: Ctx) -> Call:
    aid = open_action(ctx)
    return Call(
        f"/api/v1/actions/{aid}", json={"description": "Changed"}, headers=ctx.if_match(Action, aid)
    )


@recipe("POST", "/api/v1/actions/<id:action_id>/status")
def _(ctx: Ctx) -> Call:
    aid = open_action(ctx)
    return Call(
        f"/api/v1/actions/{aid}/status",
        json={"status": "in_progress"},
        headers=ctx.if_match(Action, aid),
    )


@recipe("POST", "/actions/<int:action_id>/edit")
def _(ctx: Ctx) -> Call:
    aid = open_action(ctx)
    form = {
        "description": "Changed",
        "owner_id": ctx.pick(Person),
        "version": ctx.version(Action, aid),
    }
    return Call(f"/actions/{aid}/edit", data=form)


@recipe("POST", "/actions/<int:action_id>/status")
def _(ctx: Ctx) -> Call:
    aid = open_action(ctx)
    return Call(
        f"/actions/{aid}/status",
        data={"status": "in_progress", "version": ctx.version(Action, aid)},
    )


# --- Contracts -------------------------------------------------------------------------------


def draft_contract(ctx: Ctx) -> int:
    return int(ctx.api("admin", "POST", "/contracts", contract_body(ctx))["id"])


def contract_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": ctx.unique("Contract"),
        "type": "soaw",
        "board_id": ctx.pick(Board),
        "architecture_unit_id": ctx.pick(OrgUnit),
        "sponsor_id": sponsor(ctx),
        "window_start": TODAY.isoformat(),
        "window_end": LATER,
    }


def sponsor(ctx: Ctx) -> int:
    with ctx.session() as s:
        found = s.exec(select(ContractVersion.sponsor_id).order_by(col(ContractVersion.id))).first()
    assert found is not None
    return int(found)


def latest_version(ctx: Ctx, contract_id: int) -> ContractVersion:
    with ctx.session() as s:
        row = s.exec(
            select(ContractVersion)
            .where(ContractVersion.contract_id == contract_id)
            .order_by(col(ContractVersion.number).desc())
        ).first()
        assert row is not None
        s.expunge(row)
        return row


@recipe("POST", "/api/v1/contracts")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/contracts", json=contract_body(ctx))


@recipe("PUT", "/api/v1/contracts/<id:contract_id>/versions/<id:number>")
def _(ctx: Ctx) -> Call:
    cid = draft_contract(ctx)
    v = latest_version(ctx, cid)
    body = contract_body(ctx)
    del body["type"], body["board_id"]
    return Call(
        f"/api/v1/contracts/{cid}/versions/{v.number}",
        json=body,
        headers={"If-Match": f'"{v.version}"'},
    )


@recipe("POST", "/api/v1/contracts/verify-document")
def _(ctx: Ctx) -> Call:
    cid = ctx.pick(Contract, Contract.status == "active")
    v = latest_version(ctx, cid)
    doc = ctx.client.get(
        f"/api/v1/contracts/{cid}/versions/{v.number}/document",
        headers={"Authorization": f"Bearer {ctx.tokens['admin']}"},
    )
    assert doc.status_code == 200, doc.text
    return Call(
        "/api/v1/contracts/verify-document", data={"file": (io.BytesIO(doc.data), "c.docx")}
    )


@recipe("POST", "/api/v1/contracts/<id:contract_id>/return-to-draft")
def _(ctx: Ctx) -> Call:
    cid = ctx.pick(Contract, Contract.status == "in_review")
    return Call(
        f"/api/v1/contracts/{cid}/return-to-draft",
        json={"reason": "Please add the risks."},
        headers=ctx.if_match(Contract, cid),
    )


def active_contract(ctx: Ctx, *, amended: bool) -> int:
    """An active contract with (or without) an amendment open."""
    opened = col(Contract.latest_version) != col(Contract.effective_version)
    return ctx.pick(Contract, Contract.status == "active", opened if amended else ~opened)


@recipe("POST", "/api/v1/contracts/<id:contract_id>/sign")
def _(ctx: Ctx) -> Call:
    # An amendment of an active contract, submitted and approved, waits for the signature of
    # its sponsor (every identity, see the probe) or, for a type the sponsor does not sign,
    # of its lead architect, whom the draft then names.
    drafts = select(ContractVersion.contract_id).where(ContractVersion.state == "draft")
    with ctx.session() as s:
        cid = s.exec(
            select(Contract.id)
            .where(Contract.status == "active", col(Contract.id).in_(drafts))
            .order_by(col(Contract.id))
        ).first()
    if cid is None:
        cid = active_contract(ctx, amended=False)
        body = {"change_summary": "A wider scope."}
        ctx.api_if_match("admin", "POST", f"/contracts/{cid}/amend", body, f"/contracts/{cid}")
    etag = f"/contracts/{cid}"
    number = latest_version(ctx, cid).number
    with ctx.session() as s:
        kind = s.get(Contract, cid).type  # type: ignore[union-attr]
    capacity = "sponsor" if Capacity.SPONSOR in spec(kind).signatories else "lead_architect"
    if capacity == "lead_architect":
        draft = ctx.api("admin", "GET", f"/contracts/{cid}/versions/{number}")
        content = {k: draft[k] for k in VersionContent.model_fields if k in draft}
        content["lead_architect_id"] = sponsor(ctx)
        ctx.api_if_match("admin", "PUT", f"/contracts/{cid}/versions/{number}", content)
    ctx.api_if_match("admin", "POST", f"/contracts/{cid}/submit", etag_of=etag)
    ctx.api_if_match("board_chair", "POST", f"/contracts/{cid}/approve", etag_of=etag)
    return Call(
        f"/api/v1/contracts/{cid}/sign",
        json={"capacity": capacity, "password": PASSWORD},
        headers=ctx.if_match(Contract, cid),
    )


@recipe("POST", "/api/v1/contracts/<id:contract_id>/amend")
def _(ctx: Ctx) -> Call:
    cid = active_contract(ctx, amended=False)
    return Call(
        f"/api/v1/contracts/{cid}/amend",
        json={"change_summary": "A new scope."},
        headers=ctx.if_match(Contract, cid),
    )


@recipe("POST", "/api/v1/contracts/<id:contract_id>/complete")
def _(ctx: Ctx) -> Call:
    with ctx.session() as s:  # the last one: the first ones are amended and signed
        cid = s.exec(
            select(Contract.id).where(Contract.status == "active").order_by(col(Contract.id).desc())
        ).first()
        assert cid is not None
        in_force = s.exec(
            select(ContractVersion).where(
                ContractVersion.contract_id == cid,
                ContractVersion.number == Contract.effective_version,
                Contract.id == cid,
            )
        ).one()
    with ctx.session() as s:
        open_ones = s.exec(
            select(Deliverable.id).where(
                Deliverable.version_id == in_force.id,
                col(Deliverable.status).not_in(["accepted", "waived"]),
            )
        ).all()
    for did in open_ones:
        ctx.api_if_match(
            "board_chair",
            "POST",
            f"/deliverables/{did}/progress",
            {"status": "waived", "note": "Not needed."},
            etag_of=f"/deliverables/{did}",
        )
    return Call(
        f"/api/v1/contracts/{cid}/complete",
        json={"reason": "Everything is delivered."},
        headers=ctx.if_match(Contract, cid),
    )


@recipe("POST", "/api/v1/contracts/<id:contract_id>/terminate")
def _(ctx: Ctx) -> Call:
    cid = draft_contract(ctx)  # any contract not closed yet
    return Call(
        f"/api/v1/contracts/{cid}/terminate",
        json={"reason": "The programme has stopped."},
        headers=ctx.if_match(Contract, cid),
    )


def deliverable_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": ctx.unique("Deliverable"),
        "phase": "a_vision",
        "kind": "document",
        "due_date": SOON,
    }


def draft_deliverable(ctx: Ctx) -> int:
    cid = draft_contract(ctx)
    return int(
        ctx.api("admin", "POST", f"/contracts/{cid}/deliverables", deliverable_body(ctx))["id"]
    )


def active_deliverable(ctx: Ctx, status: str) -> int:
    with ctx.session() as s:
        found = s.exec(
            select(Deliverable.id)
            .join(ContractVersion, col(ContractVersion.id) == Deliverable.version_id)
            .join(Contract, col(Contract.id) == ContractVersion.contract_id)
            .where(
                Contract.status == "active",
                ContractVersion.number == Contract.effective_version,
                Deliverable.status == status,
            )
            .order_by(col(Deliverable.id))
        ).first()
    assert found is not None
    return int(found)


@recipe("POST", "/api/v1/contracts/<id:contract_id>/deliverables")
def _(ctx: Ctx) -> Call:
    cid = draft_contract(ctx)
    return Call(f"/api/v1/contracts/{cid}/deliverables", json=deliverable_body(ctx))


@recipe("PUT", "/api/v1/deliverables/<id:deliverable_id>")
def _(ctx: Ctx) -> Call:
    did = draft_deliverable(ctx)
    return api_put_same(f"/deliverables/{did}", Deliverable, did, deliverable_body(ctx), ctx)


@recipe("DELETE", "/api/v1/deliverables/<id:deliverable_id>")
def _(ctx: Ctx) -> Call:
    did = draft_deliverable(ctx)
    return Call(f"/api/v1/deliverables/{did}", headers=ctx.if_match(Deliverable, did))


@recipe("POST", "/api/v1/deliverables/<id:deliverable_id>/progress")
def _(ctx: Ctx) -> Call:
    did = active_deliverable(ctx, "planned")
    return Call(
        f"/api/v1/deliverables/{did}/progress",
        json={"status": "in_progress"},
        headers=ctx.if_match(Deliverable, did),
    )


@recipe("PUT", "/api/v1/deliverables/<id:deliverable_id>/evidence")
def _(ctx: Ctx) -> Call:
    did = active_deliverable(ctx, "in_progress")
    return Call(
        f"/api/v1/deliverables/{did}/evidence",
        data={"file": (io.BytesIO(b"evidence"), "evidence.txt")},
        headers=ctx.if_match(Deliverable, did),
    )


@recipe("POST", "/api/v1/contracts/<id:contract_id>/metrics")
def _(ctx: Ctx) -> Call:
    cid = draft_contract(ctx)
    return Call(f"/api/v1/contracts/{cid}/metrics", json={"name": "Uptime", "target": "99.9"})


@recipe("POST", "/api/v1/metrics/<id:metric_id>/measure")
def _(ctx: Ctx) -> Call:
    with ctx.session() as s:
        mid = s.exec(
            select(ContractMetric.id)
            .join(ContractVersion, col(ContractVersion.id) == ContractMetric.version_id)
            .join(Contract, col(Contract.id) == ContractVersion.contract_id)
            .where(
                Contract.status == "active",
                ContractVersion.number == Contract.effective_version,
            )
            .order_by(col(ContractMetric.id))
        ).first()
    assert mid is not None
    return Call(
        f"/api/v1/metrics/{mid}/measure",
        json={"measured_value": "99.5"},
        headers=ctx.if_match(ContractMetric, mid),
    )


# --- Reviews, findings, dispensations --------------------------------------------------------


def review_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "title": ctx.unique("Review"),
        "project": "Payments hub",
        "board_id": ctx.pick(Board),
        "checkpoint": "ad_hoc",
    }


def new_review(ctx: Ctx) -> int:
    return int(ctx.api("admin", "POST", "/reviews", review_body(ctx))["id"])


@recipe("POST", "/api/v1/reviews")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/reviews", json=review_body(ctx))


@recipe("POST", "/api/v1/reviews/<id:review_id>/participants")
def _(ctx: Ctx) -> Call:
    body = {"person_id": ctx.pick(Person), "role": "architect"}
    return Call(f"/api/v1/reviews/{new_review(ctx)}/participants", json=body)


@recipe("POST", "/api/v1/reviews/<id:review_id>/tailor")
def _(ctx: Ctx) -> Call:
    body = {"library_id": ctx.pick(ChecklistLibrary)}
    return Call(f"/api/v1/reviews/{new_review(ctx)}/tailor", json=body)


@recipe("POST", "/api/v1/reviews/<id:review_id>/items")
def _(ctx: Ctx) -> Call:
    body = {"category_key": "extra", "category_title": "Extra", "question": "Is it documented?"}
    return Call(f"/api/v1/reviews/{new_review(ctx)}/items", json=body)


@recipe("PUT", "/api/v1/reviews/items/<id:item_id>")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "interviewing")
    item = ctx.pick(ReviewItem, ReviewItem.review_id == review)
    return Call(
        f"/api/v1/reviews/items/{item}",
        json={"notes": "Checked."},
        headers=ctx.if_match(ReviewItem, item),
    )


@recipe("POST", "/api/v1/reviews/<id:review_id>/override")
def _(ctx: Ctx) -> Call:
    # Only the review's lead architect may override, whatever the role: this identity's person.
    review = new_review(ctx)
    if ctx.person is not None:
        lead = {"person_id": ctx.person, "role": "lead_architect"}
        ctx.api("admin", "POST", f"/reviews/{review}/participants", lead)
    body = {"level": "compliant", "justification": "The board agreed after the interviews."}
    return Call(f"/api/v1/reviews/{review}/override", json=body)


@recipe("POST", "/api/v1/reviews/<id:review_id>/findings")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "interviewing")
    body = {"severity": "medium", "description": "The runbook is missing."}
    return Call(f"/api/v1/reviews/{review}/findings", json=body)


@recipe("POST", "/api/v1/findings/<id:finding_id>/move")
def _(ctx: Ctx) -> Call:
    fid = ctx.pick(Finding, Finding.status == "open")
    return Call(
        f"/api/v1/findings/{fid}/move",
        json={"status": "in_progress"},
        headers=ctx.if_match(Finding, fid),
    )


def dispensation_body(ctx: Ctx) -> dict[str, Any]:
    finding = ctx.pick(Finding, Finding.status == "open")
    with ctx.session() as s:
        review = s.get(Finding, finding).review_id  # type: ignore[union-attr]
    return {
        "review_id": review,
        "finding_id": finding,
        "standards": ["TLS 1.3 everywhere"],
        "justification": "The vendor patch ships next quarter.",
        "requested_expiry": SOON,
    }


def requested_dispensation(ctx: Ctx) -> int:
    return int(ctx.api("admin", "POST", "/dispensations", dispensation_body(ctx))["id"])


def granted_dispensation(ctx: Ctx) -> int:
    did = requested_dispensation(ctx)
    ctx.api_if_match(
        "board_chair",
        "POST",
        f"/dispensations/{did}/grant",
        {"expires_on": SOON},
        etag_of=f"/dispensations/{did}",
    )
    return did


@recipe("POST", "/api/v1/dispensations")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/dispensations", json=dispensation_body(ctx))


@recipe("POST", "/api/v1/dispensations/<id:dispensation_id>/grant")
def _(ctx: Ctx) -> Call:
    did = requested_dispensation(ctx)
    return Call(
        f"/api/v1/dispensations/{did}/grant",
        json={"expires_on": SOON},
        headers=ctx.if_match(Dispensation, did),
    )


@recipe("POST", "/api/v1/dispensations/<id:dispensation_id>/refuse")
def _(ctx: Ctx) -> Call:
    did = requested_dispensation(ctx)
    return Call(
        f"/api/v1/dispensations/{did}/refuse",
        json={"note": "Not justified."},
        headers=ctx.if_match(Dispensation, did),
    )


@recipe("POST", "/api/v1/dispensations/<id:dispensation_id>/revoke")
def _(ctx: Ctx) -> Call:
    did = granted_dispensation(ctx)
    return Call(
        f"/api/v1/dispensations/{did}/revoke",
        json={"note": "No longer needed."},
        headers=ctx.if_match(Dispensation, did),
    )


@recipe("POST", "/api/v1/dispensations/<id:dispensation_id>/renew")
def _(ctx: Ctx) -> Call:
    did = granted_dispensation(ctx)
    body = {"requested_expiry": LATER, "justification": "The patch slipped by a quarter."}
    return Call(
        f"/api/v1/dispensations/{did}/renew", json=body, headers=ctx.if_match(Dispensation, did)
    )


# --- Meetings, agenda, decisions -------------------------------------------------------------


def meeting_body(ctx: Ctx) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    return {
        "board_id": ctx.pick(Board),
        "title": ctx.unique("Meeting"),
        "starts_at": starts.isoformat(),
    }


def new_meeting(ctx: Ctx, *steps: str, papers: bool = False) -> int:
    """A planned meeting (with a paper to circulate when ``papers`` or ``steps``), taken
    through ``steps`` ("circulate", "open") by the co-ordinator."""
    mid = int(ctx.api("admin", "POST", "/meetings", meeting_body(ctx))["id"])
    if papers or steps:
        paper = {"subject_type": "review", "subject_id": ctx.pick(Review)}
        ctx.api("admin", "POST", f"/meetings/{mid}/papers", paper)
    for step in steps:
        role = "review_coordinator"
        ctx.api_if_match(role, "POST", f"/meetings/{mid}/{step}", {}, etag_of=f"/meetings/{mid}")
    return mid


def new_agenda_item(ctx: Ctx, mid: int) -> int:
    body = {"section": "other_business", "title": ctx.unique("Item")}
    return int(ctx.api("admin", "POST", f"/meetings/{mid}/agenda", body)["id"])


@recipe("POST", "/api/v1/meetings")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/meetings", json=meeting_body(ctx))


@recipe("PATCH", "/api/v1/meetings/<id:meeting_id>")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    return Call(
        f"/api/v1/meetings/{mid}", json={"title": "Moved"}, headers=ctx.if_match(Meeting, mid)
    )


def meeting_step(step: str, *before: str, body: dict[str, Any] | None = None) -> Recipe:
    def make(ctx: Ctx) -> Call:
        mid = new_meeting(ctx, *before, papers=True)
        return Call(
            f"/api/v1/meetings/{mid}/{step}", json=body or {}, headers=ctx.if_match(Meeting, mid)
        )

    return make


recipe("POST", "/api/v1/meetings/<id:meeting_id>/cancel")(meeting_step("cancel"))
recipe("POST", "/api/v1/meetings/<id:meeting_id>/circulate")(meeting_step("circulate"))
recipe("POST", "/api/v1/meetings/<id:meeting_id>/open")(meeting_step("open", "circulate"))
recipe("POST", "/api/v1/meetings/<id:meeting_id>/close")(
    meeting_step("close", "circulate", "open", body={"minutes": "Agreed."})
)


@recipe("PUT", "/api/v1/meetings/<id:meeting_id>/minutes")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx, "circulate", "open")
    return Call(
        f"/api/v1/meetings/{mid}/minutes",
        json={"minutes": "Agreed."},
        headers=ctx.if_match(Meeting, mid),
    )


@recipe("POST", "/api/v1/meetings/<id:meeting_id>/agenda")
def _(ctx: Ctx) -> Call:
    body = {"section": "other_business", "title": "Any other business"}
    return Call(f"/api/v1/meetings/{new_meeting(ctx)}/agenda", json=body)


@recipe("PATCH", "/api/v1/agenda-items/<id:item_id>")
def _(ctx: Ctx) -> Call:
    item = new_agenda_item(ctx, new_meeting(ctx))
    return Call(
        f"/api/v1/agenda-items/{item}",
        json={"title": "Renamed"},
        headers=ctx.if_match(AgendaItem, item),
    )


@recipe("POST", "/api/v1/agenda-items/<id:item_id>/move")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    new_agenda_item(ctx, mid)
    item = new_agenda_item(ctx, mid)
    return Call(
        f"/api/v1/agenda-items/{item}/move",
        json={"direction": "up"},
        headers=ctx.if_match(AgendaItem, item),
    )


@recipe("DELETE", "/api/v1/agenda-items/<id:item_id>")
def _(ctx: Ctx) -> Call:
    item = new_agenda_item(ctx, new_meeting(ctx))
    return Call(f"/api/v1/agenda-items/{item}", headers=ctx.if_match(AgendaItem, item))


@recipe("POST", "/api/v1/meetings/<id:meeting_id>/papers")
def _(ctx: Ctx) -> Call:
    body = {"subject_type": "review", "subject_id": ctx.pick(Review)}
    return Call(f"/api/v1/meetings/{new_meeting(ctx)}/papers", json=body)


@recipe("POST", "/api/v1/meetings/<id:meeting_id>/papers/upload")
def _(ctx: Ctx) -> Call:
    return Call(
        f"/api/v1/meetings/{new_meeting(ctx)}/papers/upload",
        data={"file": (io.BytesIO(b"%PDF-1.4 paper"), "paper.pdf"), "title": "Paper"},
    )


@recipe("PUT", "/api/v1/meetings/<id:meeting_id>/attendance/<id:person_id>")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    with ctx.session() as s:
        person = s.exec(select(Attendance.person_id).where(Attendance.meeting_id == mid)).first()
    return Call(f"/api/v1/meetings/{mid}/attendance/{person}", json={"status": "confirmed"})


@recipe("POST", "/api/v1/decisions")
def _(ctx: Ctx) -> Call:
    body = {
        "kind": "other",
        "title": "Adopt the event bus",
        "rationale": "It decouples the channels.",
        "decided_on": TODAY.isoformat(),
        "board_id": ctx.pick(Board),
    }
    return Call("/api/v1/decisions", json=body)


# --- Maturity --------------------------------------------------------------------------------


def assessment_body(ctx: Ctx, facilitator: int) -> dict[str, Any]:
    return {
        "model_id": ctx.pick(MaturityModel),
        "org_unit_id": ctx.pick(OrgUnit),
        "assessed_on": TODAY.isoformat(),
        "facilitator_id": facilitator,
    }


def new_assessment(ctx: Ctx, *steps: str) -> int:
    """A draft assessment facilitated by this identity (the admin for an anonymous visitor),
    with the admin as its assessor, taken through ``steps`` by the admin."""
    facilitates = ctx.identity in ("admin", "review_coordinator", "architect")
    me = ctx.user_id() if facilitates else ctx.user_id("admin")
    body = assessment_body(ctx, me) | {"assessor_ids": [ctx.user_id("admin")]}
    aid = int(ctx.api("admin", "POST", "/maturity-assessments", body)["id"])
    path = f"/maturity-assessments/{aid}"
    for step in steps:
        if step == "open-scoring":
            ctx.api_if_match("admin", "POST", f"{path}/open-scoring", {}, etag_of=path)
            with ctx.session() as s:
                model = s.get(MaturityAssessment, aid).model_id  # type: ignore[union-attr]
                elements = s.exec(
                    select(MaturityElement.id).where(MaturityElement.model_id == model)
                ).all()
            scores = [{"element_id": e, "level": 2} for e in elements]
            ctx.api("admin", "PUT", f"{path}/my-scores", {"scores": scores})
            ctx.api("admin", "POST", f"{path}/my-scores/submit", {})
        elif step == "close-scoring":
            ctx.api_if_match(
                "admin" if me == ctx.user_id("admin") else ctx.identity,
                "POST",
                f"{path}/close-scoring",
                {"leave_out_missing": True},
                etag_of=path,
            )
    return aid


@recipe("POST", "/api/v1/maturity-assessments")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/maturity-assessments", json=assessment_body(ctx, ctx.user_id("admin")))


@recipe("PUT", "/api/v1/maturity-assessments/<id:assessment_id>")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx)
    with ctx.session() as s:
        facilitator = s.get(MaturityAssessment, aid).facilitator_id  # type: ignore[union-attr]
    body = {"assessed_on": TODAY.isoformat(), "facilitator_id": facilitator}
    return Call(
        f"/api/v1/maturity-assessments/{aid}",
        json=body,
        headers=ctx.if_match(MaturityAssessment, aid),
    )


@recipe("POST", "/api/v1/maturity-assessments/<id:assessment_id>/assessors")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx)
    return Call(
        f"/api/v1/maturity-assessments/{aid}/assessors", json={"user_id": ctx.user_id("viewer")}
    )


def assessment_step(step: str, *before: str, body: dict[str, Any] | None = None) -> Recipe:
    def make(ctx: Ctx) -> Call:
        aid = new_assessment(ctx, *before)
        return Call(
            f"/api/v1/maturity-assessments/{aid}/{step}",
            json=body or {},
            headers=ctx.if_match(MaturityAssessment, aid),
        )

    return make


recipe("POST", "/api/v1/maturity-assessments/<id:assessment_id>/open-scoring")(
    assessment_step("open-scoring")
)
recipe("POST", "/api/v1/maturity-assessments/<id:assessment_id>/close-scoring")(
    assessment_step("close-scoring", "open-scoring", body={"leave_out_missing": True})
)
recipe("POST", "/api/v1/maturity-assessments/<id:assessment_id>/publish")(
    assessment_step("publish", "open-scoring", "close-scoring")
)


@recipe("PUT", "/api/v1/maturity-assessments/<id:assessment_id>/elements/<id:element_id>")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx, "open-scoring", "close-scoring")
    with ctx.session() as s:
        item = s.get(MaturityAssessment, aid)
        assert item is not None
        element = s.exec(
            select(MaturityElement.id).where(MaturityElement.model_id == item.model_id)
        ).first()
    path = f"/maturity-assessments/{aid}/elements/{element}"
    etag = ctx.client.get(
        "/api/v1" + path, headers={"Authorization": f"Bearer {ctx.tokens['admin']}"}
    ).headers.get("ETag", '"0"')
    return Call("/api/v1" + path, json={"level": 2}, headers={"If-Match": etag})


def library_file(name: str, ctx: Ctx) -> tuple[io.BytesIO, str]:
    """A shipped library file as a new version (the shipped one is imported already)."""
    text = (LIBRARY / name).read_text(encoding="utf-8")
    text = re.sub(r"^version: .*$", f'version: "9.{ctx.number()}.0"', text, count=1, flags=re.M)
    return io.BytesIO(text.encode()), Path(name).name


@recipe("POST", "/api/v1/maturity-models")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/maturity-models", data={"file": library_file("maturity/acmm.yaml", ctx)})


@recipe("POST", "/api/v1/checklist-libraries")
def _(ctx: Ctx) -> Call:
    file = library_file("checklists/baseline.yaml", ctx)
    return Call("/api/v1/checklist-libraries", data={"file": file})


@recipe("POST", "/api/v1/skills/framework")
def _(ctx: Ctx) -> Call:
    file = library_file("skills/architecture-skills.yaml", ctx)
    return Call("/api/v1/skills/framework", data={"file": file})


# --- Skills ----------------------------------------------------------------------------------


def role_and_skill(ctx: Ctx) -> tuple[int, int]:
    """A requirement of the framework in use (the probe may have imported a newer one)."""
    with ctx.session() as s:
        in_use = select(func.max(SkillFramework.id)).scalar_subquery()
        req = s.exec(
            select(RoleRequirement)
            .join(SkillRole, col(SkillRole.id) == RoleRequirement.role_id)
            .where(SkillRole.framework_id == in_use)
            .order_by(col(RoleRequirement.id))
        ).first()
        assert req is not None
        return req.role_id, req.skill_id


@recipe("PATCH", "/api/v1/roles/<key>/requirements/<skill_key>")
def _(ctx: Ctx) -> Call:
    role, skill = role_and_skill(ctx)
    with ctx.session() as s:
        key = s.get(SkillRole, role).key  # type: ignore[union-attr]
        skill_key = s.get(Skill, skill).key  # type: ignore[union-attr]
        req = s.exec(
            select(RoleRequirement).where(
                RoleRequirement.role_id == role, RoleRequirement.skill_id == skill
            )
        ).one()
        etag = f'"{req.version}"'
    return Call(
        f"/api/v1/roles/{key}/requirements/{skill_key}",
        json={"level": 3},
        headers={"If-Match": etag},
    )


@recipe("PUT", "/api/v1/roles/<key>/profile")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    with ctx.session() as s:
        key = s.get(SkillRole, role).key  # type: ignore[union-attr]
        rows = s.exec(
            select(Skill.key, RoleRequirement.level)
            .join(RoleRequirement, col(RoleRequirement.skill_id) == Skill.id)
            .where(RoleRequirement.role_id == role)
        ).all()
    levels = {skill_key: level for skill_key, level in rows}
    return Call(
        f"/api/v1/roles/{key}/profile",
        json={"levels": levels},
        headers=ctx.if_match(SkillRole, role),
    )


@recipe("POST", "/api/v1/skill-assessments")
def _(ctx: Ctx) -> Call:
    _role, skill = role_and_skill(ctx)
    body = {"person_id": ctx.pick(Person), "skill_id": skill, "level": 2, "source": "manager"}
    return Call("/api/v1/skill-assessments", json=body)


@recipe("POST", "/api/v1/skill-assessments/<id:assessment_id>/confirm")
def _(ctx: Ctx) -> Call:
    own = ctx.pick(
        SkillAssessment, SkillAssessment.source == "self", col(SkillAssessment.agreed).is_(False)
    )
    return Call(f"/api/v1/skill-assessments/{own}/confirm", json={})


@recipe("GET", "/api/v1/skill-assessments/current")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/skill-assessments/current?person_id={ctx.pick(Person)}")


@recipe("GET", "/api/v1/person-roles")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/person-roles?person_id={ctx.pick(Person)}")


@recipe("POST", "/api/v1/person-roles")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    body = {"person_id": new_person(ctx), "role_id": role, "relation": "target"}
    return Call("/api/v1/person-roles", json=body)


def held_role(ctx: Ctx) -> tuple[int, int]:
    """(person, person-role): a role somebody else holds, set by an assessor."""
    role, _skill = role_and_skill(ctx)
    person = new_person(ctx)
    body = {"person_id": person, "role_id": role, "relation": "held"}
    return person, int(ctx.api("admin", "POST", "/person-roles", body)["id"])


@recipe("DELETE", "/api/v1/person-roles/<id:person_role_id>")
def _(ctx: Ctx) -> Call:
    _person, row = held_role(ctx)
    return Call(f"/api/v1/person-roles/{row}")


@recipe("POST", "/skills/people/<int:person_id>/roles/<int:person_role_id>/delete")
def _(ctx: Ctx) -> Call:
    person, row = held_role(ctx)
    return Call(f"/skills/people/{person}/roles/{row}/delete", data={})


@recipe("GET", "/api/v1/skill-gaps/person")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    return Call(f"/api/v1/skill-gaps/person?person_id={ctx.pick(Person)}&role_id={role}")


@recipe("GET", "/api/v1/skill-gaps/person.docx")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    return Call(f"/api/v1/skill-gaps/person.docx?person_id={ctx.pick(Person)}&role_id={role}")


@recipe("GET", "/api/v1/skill-gaps/candidates")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    return Call(f"/api/v1/skill-gaps/candidates?role_id={role}")


# --- Reminders and service targets -----------------------------------------------------------


def new_rule(ctx: Ctx) -> int:
    return int(ctx.api("admin", "POST", "/reminder-rules", rule_body(ctx))["id"])


def rule_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "name": ctx.unique("Rule"),
        "recipients": ["owner"],
        "kind": "action_due",
        "offsets": [7],
    }


@recipe("POST", "/api/v1/reminder-rules")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/reminder-rules", json=rule_body(ctx))


@recipe("PUT", "/api/v1/reminder-rules/<id:rule_id>")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    body = {"name": "Renamed", "recipients": ["owner"], "offsets": [3]}
    return Call(f"/api/v1/reminder-rules/{rid}", json=body, headers=ctx.if_match(ReminderRule, rid))


@recipe("PUT", "/api/v1/reminder-rules/<id:rule_id>/enabled")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    return Call(
        f"/api/v1/reminder-rules/{rid}/enabled",
        json={"enabled": False},
        headers=ctx.if_match(ReminderRule, rid),
    )


@recipe("DELETE", "/api/v1/reminder-rules/<id:rule_id>")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    return Call(f"/api/v1/reminder-rules/{rid}", headers=ctx.if_match(ReminderRule, rid))


def targets_etag(ctx: Ctx) -> str:
    resp = ctx.client.get(
        "/api/v1/requests/service-targets",
        headers={"Authorization": f"Bearer {ctx.tokens['admin']}"},
    )
    return str(resp.headers["ETag"])


TARGETS = {"targets": [{"priority": "urgent", "first_response_hours": 2, "resolution_hours": 24}]}


@recipe("PUT", "/api/v1/requests/service-targets")
def _(ctx: Ctx) -> Call:
    return Call(
        "/api/v1/requests/service-targets", json=TARGETS, headers={"If-Match": targets_etag(ctx)}
    )


# --- Governance requests ---------------------------------------------------------------------


def request_body(ctx: Ctx, kind: str = "architecture_question") -> dict[str, Any]:
    return {"type": kind, "title": ctx.unique("Request"), "description": "Which queue do we use?"}


def desk_request(ctx: Ctx, kind: str = "architecture_question", *steps: str) -> int:
    """A request filed by the desk for somebody without an account (so no identity is its
    requester), assigned to this identity when it may work on requests, and taken through
    ``steps`` ("assign", "resolve")."""
    body = request_body(ctx, kind) | {
        "channel": "email",
        "requester_name": "Outsider",
        "requester_email": "outsider@probe.example",
    }
    rid = int(ctx.api("review_coordinator", "POST", "/requests", body)["id"])
    path = f"/requests/{rid}"
    works = ctx.identity in ("review_coordinator", "architect")
    assignee = ctx.user_id() if works else ctx.user_id("review_coordinator")
    for step in steps:
        if step == "assign":
            ctx.api_if_match(
                "review_coordinator", "POST", f"{path}/triage", {"assignee_id": assignee}, path
            )
        elif step == "resolve":
            ctx.api_if_match(
                "review_coordinator", "POST", f"{path}/resolve", {"outcome": "Done."}, path
            )
    return rid


def request_step(step: str, *before: str, body: dict[str, Any] | None = None) -> Recipe:
    def make(ctx: Ctx) -> Call:
        rid = desk_request(ctx, "architecture_question", *before)
        return Call(
            f"/api/v1/requests/{rid}/{step}",
            json=body or {},
            headers=ctx.if_match(GovernanceRequest, rid),
        )

    return make


@recipe("POST", "/api/v1/requests")
def _(ctx: Ctx) -> Call:
    return Call("/api/v1/requests", json=request_body(ctx))


recipe("POST", "/api/v1/requests/<id:request_id>/triage")(
    request_step("triage", body={"priority": "high"})
)
recipe("POST", "/api/v1/requests/<id:request_id>/escalate")(
    request_step("escalate", body={"board_id": 1})
)
recipe("POST", "/api/v1/requests/<id:request_id>/notes")(
    request_step("notes", body={"body": "Looking."})
)
recipe("POST", "/api/v1/requests/<id:request_id>/start")(request_step("start", "assign"))
recipe("POST", "/api/v1/requests/<id:request_id>/resolve")(
    request_step("resolve", "assign", body={"outcome": "Use the shared queue."})
)
recipe("POST", "/api/v1/requests/<id:request_id>/reopen")(
    request_step("reopen", "assign", "resolve", body={"reason": "The answer is incomplete."})
)
recipe("POST", "/api/v1/requests/<id:request_id>/close")(request_step("close", "assign", "resolve"))
recipe("POST", "/api/v1/requests/<id:request_id>/withdraw")(
    request_step("withdraw", body={"reason": "Not needed any more."})
)


@recipe("POST", "/api/v1/requests/<id:request_id>/convert/review")
def _(ctx: Ctx) -> Call:
    rid = desk_request(ctx, "review_request")
    body = {"board_id": ctx.pick(Board), "project": "Payments hub", "checkpoint": "ad_hoc"}
    return Call(
        f"/api/v1/requests/{rid}/convert/review",
        json=body,
        headers=ctx.if_match(GovernanceRequest, rid),
    )


@recipe("POST", "/api/v1/requests/<id:request_id>/convert/dispensation")
def _(ctx: Ctx) -> Call:
    rid = desk_request(ctx, "dispensation_request")
    return Call(
        f"/api/v1/requests/{rid}/convert/dispensation",
        json=dispensation_body(ctx),
        headers=ctx.if_match(GovernanceRequest, rid),
    )


# --- Pages: forms, with the hidden version where the record has one --------------------------


def upload(name: str, content: bytes) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


@recipe("POST", "/contracts/verify")
def _(ctx: Ctx) -> Call:
    call = RECIPES[("POST", "/api/v1/contracts/verify-document")](ctx)
    return Call("/contracts/verify", data=call.data)


@recipe("POST", "/maturity/models/")
def _(ctx: Ctx) -> Call:
    return Call("/maturity/models/", data={"file": library_file("maturity/acmm.yaml", ctx)})


@recipe("POST", "/reviews/libraries")
def _(ctx: Ctx) -> Call:
    return Call("/reviews/libraries", data={"file": library_file("checklists/baseline.yaml", ctx)})


@recipe("POST", "/skills/frameworks")
def _(ctx: Ctx) -> Call:
    file = library_file("skills/architecture-skills.yaml", ctx)
    return Call("/skills/frameworks", data={"file": file})


@recipe("POST", "/maturity/new")
def _(ctx: Ctx) -> Call:
    return Call("/maturity/new", data=assessment_body(ctx, ctx.user_id("admin")))


@recipe("POST", "/maturity/<int:assessment_id>/edit")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx)
    with ctx.session() as s:
        item = s.get(MaturityAssessment, aid)
        assert item is not None
        form = {
            "assessed_on": TODAY.isoformat(),
            "facilitator_id": item.facilitator_id,
            "title": "Renamed",
            "version": item.version,
        }
    return Call(f"/maturity/{aid}/edit", data=form)


@recipe("POST", "/maturity/<int:assessment_id>/assessors")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx)
    return Call(f"/maturity/{aid}/assessors", data={"user_id": ctx.user_id("viewer")})


@recipe("POST", "/meetings/new")
def _(ctx: Ctx) -> Call:
    starts = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    form = {"board_id": ctx.pick(Board), "title": "Board meeting", "starts_at": starts}
    return Call("/meetings/new", data=form)


@recipe("POST", "/meetings/<int:meeting_id>/agenda")
def _(ctx: Ctx) -> Call:
    form = {"section": "other_business", "title": "Any other business"}
    return Call(f"/meetings/{new_meeting(ctx)}/agenda", data=form)


@recipe("POST", "/meetings/agenda/<int:item_id>")
def _(ctx: Ctx) -> Call:
    item = new_agenda_item(ctx, new_meeting(ctx))
    form = {
        "section": "other_business",
        "title": "Renamed",
        "version": ctx.version(AgendaItem, item),
    }
    return Call(f"/meetings/agenda/{item}", data=form)


@recipe("POST", "/meetings/agenda/<int:item_id>/move")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    new_agenda_item(ctx, mid)
    item = new_agenda_item(ctx, mid)
    form = {"direction": "up", "version": ctx.version(AgendaItem, item)}
    return Call(f"/meetings/agenda/{item}/move", data=form)


@recipe("POST", "/meetings/agenda/<int:item_id>/delete")
def _(ctx: Ctx) -> Call:
    item = new_agenda_item(ctx, new_meeting(ctx))
    return Call(f"/meetings/agenda/{item}/delete", data={"version": ctx.version(AgendaItem, item)})


@recipe("POST", "/meetings/<int:meeting_id>/papers")
def _(ctx: Ctx) -> Call:
    form = {"subject": f"review:{ctx.pick(Review)}"}
    return Call(f"/meetings/{new_meeting(ctx)}/papers", data=form)


@recipe("POST", "/meetings/<int:meeting_id>/papers/upload")
def _(ctx: Ctx) -> Call:
    form = {"file": upload("paper.pdf", b"%PDF-1.4 paper"), "title": "Paper"}
    return Call(f"/meetings/{new_meeting(ctx)}/papers/upload", data=form)


@recipe("POST", "/meetings/<int:meeting_id>/guests")
def _(ctx: Ctx) -> Call:
    return Call(f"/meetings/{new_meeting(ctx)}/guests", data={"person_id": new_person(ctx)})


@recipe("POST", "/meetings/<int:meeting_id>/attendance/<int:person_id>")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    with ctx.session() as s:
        person = s.exec(select(Attendance.person_id).where(Attendance.meeting_id == mid)).first()
    return Call(f"/meetings/{mid}/attendance/{person}", data={"status": "confirmed"})


def decision_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "kind": "other",
        "title": "Adopt the event bus",
        "rationale": "It decouples the channels.",
        "decided_on": TODAY.isoformat(),
        "method": "consensus",
        "board_id": ctx.pick(Board),
    }


@recipe("POST", "/meetings/<int:meeting_id>/decide")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx, "circulate", "open")
    with ctx.session() as s:
        members = s.exec(select(Attendance.person_id).where(Attendance.meeting_id == mid)).all()
    for person in members:  # the quorum
        attended = {"status": "attended"}
        ctx.api("review_coordinator", "PUT", f"/meetings/{mid}/attendance/{person}", attended)
    return Call(f"/meetings/{mid}/decide", data=decision_form(ctx))


@recipe("POST", "/decisions/new")
def _(ctx: Ctx) -> Call:
    return Call("/decisions/new", data=decision_form(ctx))


@recipe("POST", "/requests/new")
def _(ctx: Ctx) -> Call:
    return Call("/requests/new", data=request_body(ctx))


@recipe("POST", "/requests/service-targets")
def _(ctx: Ctx) -> Call:
    current = ctx.api("admin", "GET", "/requests/service-targets")
    form: dict[str, Any] = {"version": current["version"]}
    for row in current["targets"]:
        for k in ("first_response_hours", "resolution_hours"):
            form[f"{row['priority']}-{k}"] = row[k]
    return Call("/requests/service-targets", data=form)


@recipe("POST", "/reviews/new")
def _(ctx: Ctx) -> Call:
    return Call("/reviews/new", data=review_body(ctx))


@recipe("POST", "/reviews/<int:review_id>/override")
def _(ctx: Ctx) -> Call:
    call = RECIPES[("POST", "/api/v1/reviews/<id:review_id>/override")](ctx)
    return Call(call.url.removeprefix("/api/v1"), data=call.json)


@recipe("POST", "/reviews/<int:review_id>/participants")
def _(ctx: Ctx) -> Call:
    form = {"person_id": ctx.pick(Person), "role": "architect"}
    return Call(f"/reviews/{new_review(ctx)}/participants", data=form)


@recipe("POST", "/reviews/<int:review_id>/tailor")
def _(ctx: Ctx) -> Call:
    form = {"library_id": ctx.pick(ChecklistLibrary)}
    return Call(f"/reviews/{new_review(ctx)}/tailor", data=form)


@recipe("POST", "/reviews/<int:review_id>/items")
def _(ctx: Ctx) -> Call:
    form = {"category_key": "extra", "category_title": "Extra", "question": "Is it documented?"}
    return Call(f"/reviews/{new_review(ctx)}/items", data=form)


@recipe("POST", "/reviews/<int:review_id>/findings")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "interviewing")
    form = {"severity": "medium", "description": "The runbook is missing."}
    return Call(f"/reviews/{review}/findings", data=form)


@recipe("POST", "/reviews/findings/<int:finding_id>/move")
def _(ctx: Ctx) -> Call:
    fid = ctx.pick(Finding, Finding.status == "open")
    form = {"status": "in_progress", "version": ctx.version(Finding, fid)}
    return Call(f"/reviews/findings/{fid}/move", data=form)


@recipe("POST", "/reviews/<int:review_id>/dispensations")
def _(ctx: Ctx) -> Call:
    body = dispensation_body(ctx)
    form = body | {"standards": "\n".join(body["standards"])}
    return Call(f"/reviews/{body['review_id']}/dispensations", data=form)


@recipe("POST", "/reviews/dispensations/<int:dispensation_id>/renew")
def _(ctx: Ctx) -> Call:
    did = granted_dispensation(ctx)
    form = {
        "requested_expiry": LATER,
        "justification": "The patch slipped by a quarter.",
        "version": ctx.version(Dispensation, did),
    }
    return Call(f"/reviews/dispensations/{did}/renew", data=form)


@recipe("POST", "/reviews/items/<int:item_id>/evidence")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "interviewing")
    item = ctx.pick(ReviewItem, ReviewItem.review_id == review)
    form = {"file": upload("evidence.txt", b"evidence"), "version": ctx.version(ReviewItem, item)}
    return Call(f"/reviews/items/{item}/evidence", data=form)


# --- Pages that mirror an API operation: the same request as a form ---------------------------


def mirror(api_key: tuple[str, str], page: Callable[[str], str]) -> Recipe:
    """The API recipe's request sent to the page ``page(api_url)`` as a form: lists become
    one line each, If-Match the hidden version."""

    def make(ctx: Ctx) -> Call:
        call = RECIPES[api_key](ctx)
        form: dict[str, Any] = dict(call.data or {})
        for name, value in (call.json or {}).items():
            form[name] = "\n".join(value) if isinstance(value, list) else value
        if "If-Match" in call.headers:
            form["version"] = call.headers["If-Match"].strip('"')
        return Call(page(call.url.removeprefix("/api/v1")), data=form)

    return make


def renamed(api_step: str, page_step: str) -> Callable[[str], str]:
    def page(url: str) -> str:
        return url.replace(f"/{api_step}", f"/{page_step}")

    return page


for _step, _page_step in [
    ("amend", "amend"),
    ("complete", "complete"),
    ("return-to-draft", "return"),
    ("sign", "sign"),
    ("terminate", "terminate"),
]:
    recipe("POST", f"/contracts/<int:contract_id>/{_page_step}")(
        mirror(
            ("POST", f"/api/v1/contracts/<id:contract_id>/{_step}"),
            renamed(_step, _page_step),
        )
    )
recipe("POST", "/contracts/deliverables/<int:deliverable_id>/progress")(
    mirror(("POST", "/api/v1/deliverables/<id:deliverable_id>/progress"), "/contracts{}".format)
)
recipe("POST", "/contracts/deliverables/<int:deliverable_id>/evidence")(
    mirror(("PUT", "/api/v1/deliverables/<id:deliverable_id>/evidence"), "/contracts{}".format)
)
recipe("POST", "/contracts/metrics/<int:metric_id>/measure")(
    mirror(("POST", "/api/v1/metrics/<id:metric_id>/measure"), "/contracts{}".format)
)
for _step in [
    "close",
    "escalate",
    "notes",
    "reopen",
    "resolve",
    "start",
    "triage",
    "withdraw",
    "convert/review",
    "convert/dispensation",
]:
    _page_step = _step.replace("/", "-")
    recipe("POST", f"/requests/<int:request_id>/{_page_step}")(
        mirror(
            ("POST", f"/api/v1/requests/<id:request_id>/{_step}"),
            renamed(_step, _page_step),
        )
    )


# --- Contracts: complete drafts, and the pages of the editors ---------------------------------


def complete_draft(ctx: Ctx, *steps: str) -> int:
    """A new draft with the content of an active contract's version in force (so it is
    complete: every section, the signatories) and one deliverable, taken through ``steps``
    ("submit") by the admin."""
    cid = ctx.pick(Contract, Contract.status == "active")
    with ctx.session() as s:
        c = s.get(Contract, cid)
        assert c is not None
        kind, board, number = c.type, c.board_id, c.effective_version
    shown = ctx.api("admin", "GET", f"/contracts/{cid}/versions/{number}")
    body = {k: shown[k] for k in VersionContent.model_fields if k in shown}
    body |= {"title": ctx.unique("Contract"), "type": kind, "board_id": board}
    body.pop("change_summary", None)
    new = int(ctx.api("admin", "POST", "/contracts", body)["id"])
    ctx.api("admin", "POST", f"/contracts/{new}/deliverables", deliverable_body(ctx))
    for step in steps:
        ctx.api("admin", "POST", f"/contracts/{new}/{step}", {})
    return new


@recipe("POST", "/api/v1/contracts/<id:contract_id>/submit")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/contracts/{complete_draft(ctx)}/submit", json={})


@recipe("POST", "/api/v1/contracts/<id:contract_id>/approve")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/contracts/{complete_draft(ctx, 'submit')}/approve", json={})


@recipe("POST", "/contracts/<int:contract_id>/submit")
def _(ctx: Ctx) -> Call:
    return Call(f"/contracts/{complete_draft(ctx)}/submit", data={})


@recipe("POST", "/contracts/<int:contract_id>/approve")
def _(ctx: Ctx) -> Call:
    return Call(f"/contracts/{complete_draft(ctx, 'submit')}/approve", data={})


@recipe("POST", "/contracts/new")
def _(ctx: Ctx) -> Call:
    return Call("/contracts/new", data=contract_body(ctx))


@recipe("POST", "/contracts/<int:contract_id>/edit")
def _(ctx: Ctx) -> Call:
    cid = draft_contract(ctx)
    form = contract_body(ctx) | {"version": latest_version(ctx, cid).version}
    del form["type"], form["board_id"]
    return Call(f"/contracts/{cid}/edit", data=form)


@recipe("POST", "/contracts/<int:contract_id>/deliverables/new")
def _(ctx: Ctx) -> Call:
    return Call(f"/contracts/{draft_contract(ctx)}/deliverables/new", data=deliverable_body(ctx))


@recipe("POST", "/contracts/<int:contract_id>/metrics/new")
def _(ctx: Ctx) -> Call:
    form = {"name": "Uptime", "target": "99.9"}
    return Call(f"/contracts/{draft_contract(ctx)}/metrics/new", data=form)


@recipe("POST", "/contracts/deliverables/<int:deliverable_id>/edit")
def _(ctx: Ctx) -> Call:
    did = draft_deliverable(ctx)
    form = deliverable_body(ctx) | {"version": ctx.version(Deliverable, did)}
    return Call(f"/contracts/deliverables/{did}/edit", data=form)


@recipe("POST", "/contracts/deliverables/<int:deliverable_id>/remove")
def _(ctx: Ctx) -> Call:
    did = draft_deliverable(ctx)
    form = {"version": ctx.version(Deliverable, did)}
    return Call(f"/contracts/deliverables/{did}/remove", data=form)


def draft_metric(ctx: Ctx) -> int:
    body = {"name": ctx.unique("Metric"), "target": "99.9"}
    return int(ctx.api("admin", "POST", f"/contracts/{draft_contract(ctx)}/metrics", body)["id"])


@recipe("DELETE", "/api/v1/metrics/<id:metric_id>")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/metrics/{draft_metric(ctx)}")


@recipe("POST", "/contracts/metrics/<int:metric_id>/remove")
def _(ctx: Ctx) -> Call:
    return Call(f"/contracts/metrics/{draft_metric(ctx)}/remove", data={})


# --- Organisation pages ------------------------------------------------------------------------


def new_link(ctx: Ctx) -> int:
    body = {"from_unit_id": new_unit(ctx), "to_unit_id": new_unit(ctx)}
    return int(ctx.api("admin", "POST", "/org-links", body)["id"])


@recipe("DELETE", "/api/v1/org-links/<id:link_id>")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/org-links/{new_link(ctx)}")


@recipe("POST", "/org/links/<int:link_id>/remove")
def _(ctx: Ctx) -> Call:
    return Call(f"/org/links/{new_link(ctx)}/remove", data={})


@recipe("POST", "/org/units/<int:unit_id>/links")
def _(ctx: Ctx) -> Call:
    form = {"other_unit_id": new_unit(ctx), "direction": "out"}
    return Call(f"/org/units/{new_unit(ctx)}/links", data=form)


def last_id_to(action: str) -> Callable[[str], str]:
    """The page of an API call on one record: /api/v1/<kind>/<id> -> /org/<kind>/<id>/<action>."""

    def page(url: str) -> str:
        kind, row = url.split("/")[-2:]
        return f"/org/{kind.replace('org-units', 'units')}/{row}/{action}"

    return page


for _page_rule, _api_key, _page in [
    ("/org/units/new", ("POST", "/api/v1/org-units"), lambda _url: "/org/units/new"),
    (
        "/org/units/<int:unit_id>/edit",
        ("PUT", "/api/v1/org-units/<id:unit_id>"),
        last_id_to("edit"),
    ),
    (
        "/org/units/<int:unit_id>/delete",
        ("DELETE", "/api/v1/org-units/<id:unit_id>"),
        last_id_to("delete"),
    ),
    ("/org/people/new", ("POST", "/api/v1/people"), lambda _url: "/org/people/new"),
    (
        "/org/people/<int:person_id>/edit",
        ("PUT", "/api/v1/people/<id:person_id>"),
        last_id_to("edit"),
    ),
    (
        "/org/people/<int:person_id>/delete",
        ("DELETE", "/api/v1/people/<id:person_id>"),
        last_id_to("delete"),
    ),
    ("/org/positions/new", ("POST", "/api/v1/positions"), lambda _url: "/org/positions/new"),
    (
        "/org/positions/<int:position_id>/edit",
        ("PUT", "/api/v1/positions/<id:position_id>"),
        last_id_to("edit"),
    ),
    (
        "/org/positions/<int:position_id>/delete",
        ("DELETE", "/api/v1/positions/<id:position_id>"),
        last_id_to("delete"),
    ),
    ("/org/boards/new", ("POST", "/api/v1/boards"), lambda _url: "/org/boards/new"),
    (
        "/org/boards/<int:board_id>/edit",
        ("PUT", "/api/v1/boards/<id:board_id>"),
        last_id_to("edit"),
    ),
    (
        "/org/boards/<int:board_id>/members/new",
        ("POST", "/api/v1/boards/<id:board_id>/members"),
        lambda url: url.replace("/boards/", "/org/boards/") + "/new",
    ),
]:
    recipe("POST", _page_rule)(mirror(_api_key, _page))


def board_member(ctx: Ctx) -> int:
    body = {"person_id": new_person(ctx), "term_start": "2020-01-01"}
    return int(ctx.api("admin", "POST", f"/boards/{ctx.pick(Board)}/members", body)["id"])


@recipe("POST", "/org/members/<int:member_id>/end")
def _(ctx: Ctx) -> Call:
    return Call(f"/org/members/{board_member(ctx)}/end", data={"term_end": TODAY.isoformat()})


@recipe("POST", "/org/members/<int:member_id>/remove")
def _(ctx: Ctx) -> Call:
    return Call(f"/org/members/{board_member(ctx)}/remove", data={})


@recipe("POST", "/org/templates/<template_id>")
def _(ctx: Ctx) -> Call:
    # The first template, whose codes the demonstration does not use yet.
    first = sorted((LIBRARY / "org_templates").glob("*.yaml"))[0].stem
    return Call(f"/org/templates/{first}", data={"locale": "en"})


@recipe("POST", "/org/people/import")
def _(ctx: Ctx) -> Call:
    with ctx.session() as s:
        unit = s.get(OrgUnit, ctx.pick(OrgUnit, col(OrgUnit.code).is_not(None)))
        assert unit is not None
    n = ctx.number()
    csv = f"name,email,org_unit_code\r\nImported {n},imported{n}@probe.example,{unit.code}\r\n"
    return Call("/org/people/import", data={"file": upload("people.csv", csv.encode())})


# --- Accounts and administration pages ---------------------------------------------------------


def sample_token(ctx: Ctx) -> int:
    """The token of the sample user: somebody else's, for every identity."""
    return ctx.pick(ApiToken, ApiToken.user_id == ctx.user_id("anonymous"))


@recipe("POST", "/account/")
def _(ctx: Ctx) -> Call:
    return Call("/account/", data={"name": ctx.unique("Me"), "locale": "en"})


@recipe("POST", "/account/password")
def _(ctx: Ctx) -> Call:
    # The new password must differ from the current one, and the probe keeps using PASSWORD
    # (to sign contracts): the setup gives the user a temporary one (no operation of the API
    # sets somebody's password), which the request then changes back.
    temporary = "temporary-probe-password"
    with ctx.session() as s:
        user = s.get(User, ctx.user_id())
        assert user is not None
        user.password_hash = hash_password(temporary)
        s.add(user)
        s.commit()
    form = {
        "current_password": temporary,
        "new_password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    return Call("/account/password", data=form)


@recipe("POST", "/account/tokens")
def _(ctx: Ctx) -> Call:
    return Call("/account/tokens", data={"name": "another", "expires_in_days": "90"})


@recipe("POST", "/account/tokens/<int:token_id>/revoke")
def _(ctx: Ctx) -> Call:
    return Call(f"/account/tokens/{sample_token(ctx)}/revoke", data={})


@recipe("DELETE", "/api/v1/tokens/<id:token_id>")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/tokens/{sample_token(ctx)}")


@recipe("POST", "/admin/users/new")
def _(ctx: Ctx) -> Call:
    form = {"email": f"invited{ctx.number()}@probe.example", "name": "Invited", "roles": ["viewer"]}
    return Call("/admin/users/new", data=form)


@recipe("POST", "/admin/users/<int:user_id>")
def _(ctx: Ctx) -> Call:
    uid = ctx.user_id("anonymous")  # the sample user: somebody else
    form = {
        "name": "Renamed",
        "roles": ["viewer"],
        "is_active": "on",
        "version": ctx.version(User, uid),
    }
    return Call(f"/admin/users/{uid}", data=form)


@recipe("POST", "/admin/users/<int:user_id>/reinvite")
def _(ctx: Ctx) -> Call:
    body = {"email": f"invited{ctx.number()}@probe.example", "name": "Invited", "roles": ["viewer"]}
    invited = ctx.api("admin", "POST", "/users", body)
    return Call(f"/admin/users/{invited['id']}/reinvite", data={})


@recipe("POST", "/audit/verify")
def _(ctx: Ctx) -> Call:
    return Call("/audit/verify", data={})  # the whole chain, no recorded tip


@recipe("POST", "/lang")
def _(ctx: Ctx) -> Call:
    return Call("/lang", data={"lang": "en", "next": "/"})


# --- Reminders, the scheduler, notifications, calendar feeds -----------------------------------


@recipe("POST", "/admin/reminders/new")
def _(ctx: Ctx) -> Call:
    form = {
        "kind": "action_due",
        "name": ctx.unique("Rule"),
        "offsets": "7",
        "recipients": ["owner"],
    }
    return Call("/admin/reminders/new", data=form)


@recipe("POST", "/admin/reminders/<int:rule_id>")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    form = {
        "name": "Renamed",
        "offsets": "3",
        "recipients": ["owner"],
        "version": ctx.version(ReminderRule, rid),
    }
    return Call(f"/admin/reminders/{rid}", data=form)


@recipe("POST", "/admin/reminders/<int:rule_id>/enabled")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    form = {"enabled": "0", "version": ctx.version(ReminderRule, rid)}
    return Call(f"/admin/reminders/{rid}/enabled", data=form)


@recipe("POST", "/admin/reminders/<int:rule_id>/delete")
def _(ctx: Ctx) -> Call:
    rid = new_rule(ctx)
    return Call(f"/admin/reminders/{rid}/delete", data={"version": ctx.version(ReminderRule, rid)})


def empty(url: str) -> Call:
    """A request with nothing in it: {} for the API, an empty form for a page."""
    return Call(url, json={}) if url.startswith("/api/") else Call(url, data={})


def nothing_to(url: str) -> Recipe:
    return lambda _ctx: empty(url)


# Nothing to send: these act on what is there (an empty request is the valid one), and the
# recipe makes the probe check that the roles allowed succeed.
for _rule in [
    "/admin/reminders/defaults",
    "/api/v1/reminder-rules/defaults",
    "/admin/scheduler/sweep",
    "/api/v1/scheduler/sweep",
    "/notifications/read-all",
    "/api/v1/notifications/read-all",
    "/calendar/feeds",
    "/api/v1/calendar/feeds",
]:
    recipe("POST", _rule)(nothing_to(_rule))


def failed_email(ctx: Ctx) -> int:
    """An e-mail given up after its retries (set in the database: only a mail server that
    keeps refusing makes one)."""
    with ctx.session() as s:
        item = s.exec(select(Notification).order_by(col(Notification.id))).first()
        assert item is not None
        item.status = NotificationStatus.FAILED
        s.add(item)
        s.commit()
        return int(item.id)  # type: ignore[arg-type]


@recipe("POST", "/admin/scheduler/failed/<int:notification_id>/retry")
def _(ctx: Ctx) -> Call:
    return Call(f"/admin/scheduler/failed/{failed_email(ctx)}/retry", data={})


@recipe("POST", "/api/v1/scheduler/failed/<id:notification_id>/retry")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/scheduler/failed/{failed_email(ctx)}/retry", json={})


def own_notification(ctx: Ctx) -> int:
    """A notification for this identity (a copy of a demonstration one: reminders reach a
    user only when something of theirs falls due)."""
    with ctx.session() as s:
        first = s.exec(select(Notification).order_by(col(Notification.id))).first()
        assert first is not None
        copy = Notification.model_validate(
            first.model_dump(exclude={"id"})
            | {"user_id": ctx.user_id(), "occurrence": f"probe:{ctx.number()}", "read_at": None}
        )
        s.add(copy)
        s.commit()
        return int(copy.id)  # type: ignore[arg-type]


@recipe("POST", "/notifications/<int:notification_id>/read")
def _(ctx: Ctx) -> Call:
    return Call(f"/notifications/{own_notification(ctx)}/read", data={})


@recipe("POST", "/api/v1/notifications/<id:notification_id>/read")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/notifications/{own_notification(ctx)}/read", json={})


@recipe("POST", "/notifications/preferences")
def _(ctx: Ctx) -> Call:
    return Call("/notifications/preferences", data={"mode_action_due": "digest"})


@recipe("PUT", "/api/v1/notifications/preferences")
def _(ctx: Ctx) -> Call:
    prefs = [{"kind": "action_due", "mode": "digest", "email_enabled": True}]
    return Call("/api/v1/notifications/preferences", json={"preferences": prefs})


@recipe("POST", "/notifications/unsubscribe/<token>")
def _(ctx: Ctx) -> Call:
    secret = str(ctx.app.config["SECRET_KEY"])
    token = unsubscribe_token(secret, ctx.user_id(), "action_due")
    return Call(f"/notifications/unsubscribe/{token}", data={})


def own_feed(ctx: Ctx) -> int:
    """This identity's calendar feed (the admin's for an anonymous visitor)."""
    owner = ctx.identity if ctx.identity in ctx.tokens else "admin"
    return int(ctx.api(owner, "POST", "/calendar/feeds", {})["id"])


@recipe("DELETE", "/api/v1/calendar/feeds/<id:feed_id>")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/calendar/feeds/{own_feed(ctx)}")


@recipe("POST", "/calendar/feeds/<int:feed_id>/revoke")
def _(ctx: Ctx) -> Call:
    return Call(f"/calendar/feeds/{own_feed(ctx)}/revoke", data={})


# --- Actions, meetings -------------------------------------------------------------------------


@recipe("POST", "/actions/new")
def _(ctx: Ctx) -> Call:
    form = {"description": "Do it", "owner_id": ctx.pick(Person), "board_id": ctx.pick(Board)}
    return Call("/actions/new", data=form)


def local_input(moment: datetime) -> str:
    """A ``datetime-local`` field's value (the probe's users keep the default zone)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@recipe("POST", "/meetings/<int:meeting_id>/edit")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx)
    form = {
        "title": "Moved",
        "starts_at": local_input(datetime.now() + timedelta(days=8)),
        "version": ctx.version(Meeting, mid),
    }
    return Call(f"/meetings/{mid}/edit", data=form)


@recipe("POST", "/meetings/<int:meeting_id>/<any(open, cancel, circulate):step>")
def _(ctx: Ctx) -> Call:
    # The rule's sample step; opening is meetings.run (the API's row for it).
    mid = new_meeting(ctx)
    return Call(f"/meetings/{mid}/cancel", data={"version": ctx.version(Meeting, mid)})


@recipe("POST", "/meetings/<int:meeting_id>/minutes")
def _(ctx: Ctx) -> Call:
    mid = new_meeting(ctx, "circulate", "open")
    form = {"minutes": "Agreed.", "version": ctx.version(Meeting, mid)}
    return Call(f"/meetings/{mid}/minutes", data=form)


@recipe("POST", "/api/v1/meetings/<id:meeting_id>/agenda/propose")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/meetings/{new_meeting(ctx)}/agenda/propose", json={})


@recipe("POST", "/meetings/<int:meeting_id>/agenda/propose")
def _(ctx: Ctx) -> Call:
    return Call(f"/meetings/{new_meeting(ctx)}/agenda/propose", data={})


def new_paper(ctx: Ctx) -> int:
    mid = new_meeting(ctx, papers=True)
    return ctx.pick(MeetingPaper, MeetingPaper.meeting_id == mid)


@recipe("DELETE", "/api/v1/meeting-papers/<id:paper_id>")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/meeting-papers/{new_paper(ctx)}")


@recipe("POST", "/meetings/papers/<int:paper_id>/delete")
def _(ctx: Ctx) -> Call:
    return Call(f"/meetings/papers/{new_paper(ctx)}/delete", data={})


# --- Maturity: the assessment pages and the assessors' scores ----------------------------------


def assessment_with_assessor(ctx: Ctx, user_id: int) -> int:
    aid = new_assessment(ctx)
    ctx.api("admin", "POST", f"/maturity-assessments/{aid}/assessors", {"user_id": user_id})
    return aid


@recipe("DELETE", "/api/v1/maturity-assessments/<id:assessment_id>/assessors/<id:user_id>")
def _(ctx: Ctx) -> Call:
    viewer = ctx.user_id("viewer")
    aid = assessment_with_assessor(ctx, viewer)
    return Call(f"/api/v1/maturity-assessments/{aid}/assessors/{viewer}")


@recipe("POST", "/maturity/<int:assessment_id>/assessors/<int:user_id>/remove")
def _(ctx: Ctx) -> Call:
    viewer = ctx.user_id("viewer")
    aid = assessment_with_assessor(ctx, viewer)
    return Call(f"/maturity/{aid}/assessors/{viewer}/remove", data={})


@recipe("POST", "/maturity/<int:assessment_id>/<any(open, close, publish):action>")
def _(ctx: Ctx) -> Call:
    aid = new_assessment(ctx)
    return Call(f"/maturity/{aid}/open", data={"version": ctx.version(MaturityAssessment, aid)})


@recipe("POST", "/maturity/<int:assessment_id>/elements/<int:element_id>")
def _(ctx: Ctx) -> Call:
    call = RECIPES[
        ("PUT", "/api/v1/maturity-assessments/<id:assessment_id>/elements/<id:element_id>")
    ](ctx)
    form = {"level": 2, "version": call.headers["If-Match"].strip('"')}
    return Call(call.url.replace("/api/v1/maturity-assessments/", "/maturity/"), data=form)


def scoring_as_me(ctx: Ctx) -> tuple[int, list[int]]:
    """An assessment in scoring with this identity as its assessor (the sample user for an
    anonymous visitor), and the elements to score."""
    me = ctx.user_id()
    body = assessment_body(ctx, ctx.user_id("admin")) | {"assessor_ids": [me]}
    aid = int(ctx.api("admin", "POST", "/maturity-assessments", body)["id"])
    path = f"/maturity-assessments/{aid}"
    ctx.api_if_match("admin", "POST", f"{path}/open-scoring", {}, etag_of=path)
    with ctx.session() as s:
        model = s.get(MaturityAssessment, aid).model_id  # type: ignore[union-attr]
        elements = s.exec(select(MaturityElement.id).where(MaturityElement.model_id == model)).all()
    return aid, [e for e in elements if e is not None]


@recipe("PUT", "/api/v1/maturity-assessments/<id:assessment_id>/my-scores")
def _(ctx: Ctx) -> Call:
    aid, elements = scoring_as_me(ctx)
    scores = [{"element_id": e, "level": 2} for e in elements[:1]]
    return Call(f"/api/v1/maturity-assessments/{aid}/my-scores", json={"scores": scores})


@recipe("POST", "/api/v1/maturity-assessments/<id:assessment_id>/my-scores/submit")
def _(ctx: Ctx) -> Call:
    # Every element scored, by this identity itself (an anonymous visitor has nothing to submit).
    aid, elements = scoring_as_me(ctx)
    if ctx.identity in ctx.tokens:
        scores = [{"element_id": e, "level": 2} for e in elements]
        path = f"/maturity-assessments/{aid}/my-scores"
        ctx.api(ctx.identity, "PUT", path, {"scores": scores})
    return Call(f"/api/v1/maturity-assessments/{aid}/my-scores/submit", json={})


@recipe("POST", "/maturity/<int:assessment_id>/scores")
def _(ctx: Ctx) -> Call:
    aid, elements = scoring_as_me(ctx)
    return Call(f"/maturity/{aid}/scores", data={f"level-{elements[0]}": "2"})


# --- Reviews: the workflow, the workspace, the decisions on dispensations ----------------------


def scope_ready_review(ctx: Ctx) -> int:
    """A requested review with what scoping needs: its organisation, scope and lead architect."""
    body = review_body(ctx) | {"org_unit_id": ctx.pick(OrgUnit), "scope": "The payments hub."}
    review = int(ctx.api("admin", "POST", "/reviews", body)["id"])
    lead = {"person_id": ctx.pick(Person), "role": "lead_architect"}
    ctx.api("admin", "POST", f"/reviews/{review}/participants", lead)
    return review


@recipe("POST", "/api/v1/reviews/<id:review_id>/advance")
def _(ctx: Ctx) -> Call:
    return Call(f"/api/v1/reviews/{scope_ready_review(ctx)}/advance", json={})


@recipe("POST", "/reviews/<int:review_id>/advance")
def _(ctx: Ctx) -> Call:
    return Call(f"/reviews/{scope_ready_review(ctx)}/advance", data={})


@recipe("POST", "/api/v1/reviews/<id:review_id>/rereview")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "signed_off")
    return Call(f"/api/v1/reviews/{review}/rereview", json={})


@recipe("POST", "/reviews/<int:review_id>/rereview")
def _(ctx: Ctx) -> Call:
    return Call(f"/reviews/{ctx.pick(Review, Review.state == 'signed_off')}/rereview", data={})


@recipe("POST", "/reviews/items/<int:item_id>")
def _(ctx: Ctx) -> Call:
    review = ctx.pick(Review, Review.state == "interviewing")
    item = ctx.pick(ReviewItem, ReviewItem.review_id == review)
    form = {"notes": "Checked.", "version": ctx.version(ReviewItem, item)}
    return Call(f"/reviews/items/{item}", data=form)


@recipe("POST", "/reviews/dispensations/<int:dispensation_id>/<any(grant, refuse, revoke):action>")
def _(ctx: Ctx) -> Call:
    did = requested_dispensation(ctx)
    form = {"expires_on": SOON, "version": ctx.version(Dispensation, did)}
    return Call(f"/reviews/dispensations/{did}/grant", data=form)


# --- Skills pages ------------------------------------------------------------------------------


@recipe("POST", "/skills/frameworks/shipped")
def _(ctx: Ctx) -> Call:
    # The shipped version is imported already (the demonstration): its row is given another
    # version in the database, so that this is a new installation's first import again.
    with ctx.session() as s:
        for framework in s.exec(select(SkillFramework)).all():
            framework.version = f"{framework.version}-{ctx.number()}"
            s.add(framework)
        s.commit()
    return Call("/skills/frameworks/shipped", data={})


@recipe("POST", "/skills/people/<int:person_id>/assessments")
def _(ctx: Ctx) -> Call:
    _role, skill = role_and_skill(ctx)
    form = {"skill_id": skill, "level": 2, "source": "manager"}
    return Call(f"/skills/people/{ctx.pick(Person)}/assessments", data=form)


@recipe("POST", "/skills/people/<int:person_id>/assessments/<int:assessment_id>/confirm")
def _(ctx: Ctx) -> Call:
    with ctx.session() as s:  # the last one: the API's recipe confirms the first
        own = s.exec(
            select(SkillAssessment)
            .where(SkillAssessment.source == "self", col(SkillAssessment.agreed).is_(False))
            .order_by(col(SkillAssessment.id).desc())
        ).first()
        assert own is not None
    return Call(f"/skills/people/{own.person_id}/assessments/{own.id}/confirm", data={})


@recipe("POST", "/skills/people/<int:person_id>/roles")
def _(ctx: Ctx) -> Call:
    role, _skill = role_and_skill(ctx)
    form = {"role_id": role, "relation": "target"}
    return Call(f"/skills/people/{new_person(ctx)}/roles", data=form)


@recipe("POST", "/skills/roles/<key>/edit")
def _(ctx: Ctx) -> Call:
    call = RECIPES[("PUT", "/api/v1/roles/<key>/profile")](ctx)
    form = {f"level-{k}": v for k, v in call.json["levels"].items()}
    form["version"] = call.headers["If-Match"].strip('"')
    key = call.url.split("/")[-2]
    return Call(f"/skills/roles/{key}/edit", data=form)


@recipe("POST", "/skills/roles/<key>/skills/<skill_key>")
def _(ctx: Ctx) -> Call:
    call = RECIPES[("PATCH", "/api/v1/roles/<key>/requirements/<skill_key>")](ctx)
    form = {"level": 3, "version": call.headers["If-Match"].strip('"')}
    return Call(
        call.url.replace("/api/v1/roles/", "/skills/roles/").replace("/requirements/", "/skills/"),
        data=form,
    )

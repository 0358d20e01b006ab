"""The review list: dashboard tiles, filters, search, pagination in the database, a fixed
number of statements, and requesting a review through the form."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import count_statements
from contract_factory import make_cast
from test_contracts_support import client_for, send, text_of
from test_reviews_support import import_baseline, to_state

from eagov.models import Review
from eagov.schemas.reviews import DispensationDecision, DispensationRequest, ReviewRequest
from eagov.services import dispensations, review_queries, reviews


@pytest.fixture
def cast(session):
    return make_cast(session)


def refs(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)">', html)


def make(session, cast, **over) -> Review:
    values = {
        "title": "Payments hub review",
        "project": "Payments hub",
        "board_id": cast.board_id,
        "checkpoint": "initial_design",
    }
    values.update(over)
    return reviews.request_review(session, cast.actor("viewer"), ReviewRequest(**values))


def test_list_needs_login(client):
    resp = client.get("/reviews/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_navigation_leads_to_the_list(app, session, cast):
    viewer = client_for(app, cast.viewer)
    html = viewer.get("/reviews/").text
    assert 'href="/reviews/"' in html and "Compliance reviews" in html


def test_filters_and_search(app, session, cast):
    other = make_cast(session, tag="-b")
    today = date.today()
    a = make(session, cast, title="Customer data review", due_date=today + timedelta(5))
    b = make(
        session, cast, project="Billing", checkpoint="periodic", due_date=today + timedelta(50)
    )
    c = make(session, other, board_id=other.board_id, title="Elsewhere")
    viewer = client_for(app, cast.viewer)

    def listed(**args):
        resp = viewer.get("/reviews/", query_string=args)
        assert resp.status_code == 200
        return set(refs(resp.text))

    assert listed() == {a.reference, b.reference, c.reference}
    assert listed(checkpoint="periodic") == {b.reference}
    assert listed(board=other.board_id) == {c.reference}
    assert listed(state="requested") == {a.reference, b.reference, c.reference}
    assert listed(state="closed") == set()
    assert listed(q="billing") == {b.reference}
    assert listed(q="customer data") == {a.reference}
    assert listed(q=c.reference) == {c.reference}
    assert listed(due_from=(today + timedelta(10)).isoformat()) == {b.reference}
    assert listed(due_to=(today + timedelta(10)).isoformat()) == {a.reference}
    assert listed(state="nonsense", level="nope") == {a.reference, b.reference, c.reference}
    bad = viewer.get("/reviews/?due_from=yesterday")
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text


def test_level_filter_and_tiles(app, session, cast):
    library = import_baseline(session)
    rejected = to_state(session, cast, library, "signed_off")  # all conformant, rejected
    overdue = make(session, cast, due_date=date.today() - timedelta(3))
    d = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=rejected.id,
            item_references=["SEC-01"],
            justification="The project cannot realign before the next release.",
            requested_expiry=date.today() + timedelta(20),
        ),
    )
    dispensations.grant(
        session,
        cast.actor("chair"),
        d.id,
        DispensationDecision(expires_on=date.today() + timedelta(20)),
        d.version,
    )
    viewer = client_for(app, cast.viewer)
    assert set(refs(viewer.get("/reviews/?level=conformant").text)) == {rejected.reference}
    html = viewer.get("/reviews/").text
    tiles = text_of(html)
    assert re.search(r'<li data-level="conformant">.*?data-count="1"', html, re.S)
    assert 'id="tile-overdue">1<' in html
    assert d.reference in tiles
    assert 'data-overdue="1"' in html and overdue.reference in refs(html)


def test_pagination_in_the_database(app, session, cast):
    made = [make(session, cast).reference for _ in range(5)]
    viewer = client_for(app, cast.viewer)
    first = viewer.get("/reviews/?per_page=2").text
    third = viewer.get("/reviews/?per_page=2&page=3").text
    assert refs(first) == list(reversed(made))[:2] and refs(third) == [made[0]]
    assert "Page 1 of 3" in first and "5 items" in first


def test_the_list_runs_the_same_statements_for_3_and_30_reviews(app, session, cast):
    for _ in range(3):
        make(session, cast, due_date=date.today() - timedelta(1))
    viewer = client_for(app, cast.viewer)
    viewer.get("/reviews/")  # warm up
    review_queries._SUMMARIES.clear()  # both counts with the tiles computed (the worst case)
    with count_statements(app) as small:
        assert len(refs(viewer.get("/reviews/?q=pay").text)) == 3
    for _ in range(27):
        make(session, cast)
    review_queries._SUMMARIES.clear()
    with count_statements(app) as large:
        assert len(refs(viewer.get("/reviews/?q=pay").text)) == 25  # one page
    assert len(small) == len(large)
    assert len(large) < 15, large


def test_anyone_requests_a_review_through_the_form(app, session, cast):
    viewer = client_for(app, cast.viewer)
    form = viewer.get("/reviews/new")
    assert form.status_code == 200 and "Request a review" in form.text
    bad = send(viewer, "/reviews/new", {"title": "Pa", "project": "Payments hub", "scope": "Kept"})
    assert bad.status_code == 422
    assert 'value="Payments hub"' in bad.text and ">Kept</textarea>" in bad.text
    assert 'id="e-title"' in bad.text and 'id="e-board_id"' in bad.text
    ok = send(
        viewer,
        "/reviews/new",
        {
            "title": "Payments hub review",
            "project": "Payments hub",
            "board_id": cast.board_id,
            "checkpoint": "initiation",
            "org_unit_id": cast.unit_id,
            "scope": "The integration design.",
            "due_date": (date.today() + timedelta(30)).isoformat(),
        },
    )
    assert ok.status_code == 302
    page = viewer.get(ok.headers["Location"])
    assert "Review CR-" in page.text and "requested." in page.text
    assert "Project initiation" in page.text


def test_the_tiles_follow_every_change_and_are_not_recounted_without_one(app, session, cast):
    """The per-level and overdue tiles aggregate every review: they are computed again only
    after a change (which moves the audit chain's head), and always after one."""
    make(session, cast, due_date=date.today() - timedelta(3))
    viewer = client_for(app, cast.viewer)

    def tiles() -> tuple[str, list[str]]:
        with count_statements(app) as seen:
            html = viewer.get("/reviews/").text
        overdue = re.search(r'id="tile-overdue">(\d+)<', html)
        assert overdue
        return overdue.group(1), [s for s in seen if "GROUP BY" in s]

    tiles()  # the first view computes them
    count, aggregates = tiles()
    assert count == "1" and aggregates == []  # nothing changed: not recounted
    make(session, cast, due_date=date.today() - timedelta(1))  # through the service: audited
    count, aggregates = tiles()
    assert count == "2" and len(aggregates) == 1
    count, aggregates = tiles()
    assert count == "2" and aggregates == []

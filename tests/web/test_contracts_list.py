"""The contract list: filters, search, sorting, pagination in the database, a fixed number of
statements whatever the number of contracts, and what sponsors and contributors see."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import count_statements
from contract_factory import activate, make_cast, make_contract
from test_contracts_support import client_for


@pytest.fixture
def cast(session):
    return make_cast(session)


def refs(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)">', html)


def test_list_needs_login(client):
    resp = client.get("/contracts/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_list_shows_each_contract_with_its_version_in_force(app, session, cast):
    draft = make_contract(session, cast, title="Payments hub")
    active = activate(session, cast, make_contract(session, cast, "design_development"))
    viewer = client_for(app, cast.viewer)
    page = viewer.get("/contracts/")
    assert page.status_code == 200
    html = page.text
    assert refs(html) == [draft.reference, active.reference]
    for text in (
        "Payments hub",
        "Statement of Architecture Work",
        "Architecture design and development contract",
        'data-status="draft"',
        'data-status="active"',
        "Sponsor Person",
        "EA Office",
        "Retail",
        "in force: v1",
        "none in force",
    ):
        assert text in html, text
    # The navigation leads here now, not to the placeholder area.
    assert 'href="/contracts/"' in html


def test_filters_by_type_status_board_sponsor_and_unit(app, session, cast):
    other = make_cast(session, tag="-b")
    soaw = make_contract(session, cast)
    design = activate(session, cast, make_contract(session, cast, "design_development"))
    elsewhere = make_contract(
        session,
        other,
        architecture_unit_id=other.unit_id,
        counterparty_unit_id=cast.business_unit_id,
    )
    by_lead = make_contract(
        session, cast, sponsor_id=cast.person["lead"], counterparty_unit_id=None
    )
    viewer = client_for(app, cast.viewer)

    def listed(**args):
        resp = viewer.get("/contracts/", query_string=args)
        assert resp.status_code == 200
        return set(refs(resp.text))

    everyone = {soaw.reference, design.reference, elsewhere.reference, by_lead.reference}
    assert listed() == everyone
    assert listed(type="design_development") == {design.reference}
    assert listed(status="active") == {design.reference}
    assert listed(status="draft") == everyone - {design.reference}
    assert listed(board=other.board_id) == {elsewhere.reference}
    assert listed(sponsor=cast.person["lead"]) == {by_lead.reference}
    # The unit matches the architecture unit or the counterparty unit.
    assert listed(unit=other.unit_id) == {elsewhere.reference}
    assert listed(unit=cast.business_unit_id) == {
        soaw.reference,
        design.reference,
        elsewhere.reference,
    }
    # Text fields: part of the sponsor's name, part of a unit's name or code (either unit).
    from eagov.models import Person

    lead_name = session.get(Person, cast.person["lead"]).name
    assert listed(sponsor_name=lead_name[1:-1].lower()) == {by_lead.reference}
    assert listed(unit_name="ail-b") == set()  # "Retail-b" is nobody's unit here
    assert listed(unit_name="EA OFFICE-B") == {elsewhere.reference}
    assert listed(unit_name="%") == set()  # wildcards are literal
    # A link with an id shows the name in the text field.
    page = viewer.get("/contracts/", query_string={"sponsor": cast.person["lead"]}).text
    assert f'name="sponsor_name" type="search" maxlength="100" value="{lead_name}"' in page
    # Unknown values are ignored rather than failing.
    assert listed(type="nonsense", status="nope") == everyone


def test_expiring_within_days_uses_the_version_in_force(app, session, cast):
    today = date.today()
    soon = activate(session, cast, make_contract(session, cast, window_end=today + timedelta(10)))
    later = activate(session, cast, make_contract(session, cast, window_end=today + timedelta(90)))
    draft_soon = make_contract(session, cast, window_end=today + timedelta(5))
    viewer = client_for(app, cast.viewer)
    listed = set(refs(viewer.get("/contracts/", query_string={"expiring": 30}).text))
    assert listed == {soon.reference}
    listed = set(refs(viewer.get("/contracts/", query_string={"expiring": 120}).text))
    assert listed == {soon.reference, later.reference}
    assert draft_soon.reference not in listed


def test_search_by_title_or_reference(app, session, cast):
    a = make_contract(session, cast, title="Customer data platform")
    b = make_contract(session, cast, title="Payments modernisation")
    viewer = client_for(app, cast.viewer)
    assert refs(viewer.get("/contracts/?q=payments").text) == [b.reference]
    assert refs(viewer.get(f"/contracts/?q={a.reference[-4:]}").text) == [a.reference]
    # LIKE wildcards are taken literally.
    assert refs(viewer.get("/contracts/?q=%25").text) == []


def test_sorting(app, session, cast):
    today = date.today()
    first = make_contract(session, cast, title="Zeta", window_end=today + timedelta(200))
    second = make_contract(session, cast, title="alpha", window_end=today + timedelta(20))
    third = activate(
        session,
        cast,
        make_contract(session, cast, title="Mundane", window_end=today + timedelta(100)),
    )
    viewer = client_for(app, cast.viewer)

    def order(sort):
        return refs(viewer.get("/contracts/", query_string={"sort": sort}).text)

    assert order("reference") == [first.reference, second.reference, third.reference]
    assert order("-reference") == [third.reference, second.reference, first.reference]
    assert order("title") == [second.reference, third.reference, first.reference]
    assert order("window_end") == [second.reference, third.reference, first.reference]
    assert order("-window_end") == [first.reference, third.reference, second.reference]
    # draft before active in the lifecycle
    assert order("status") == [first.reference, second.reference, third.reference]


def test_pagination_in_the_database(app, session, cast):
    made = [make_contract(session, cast, deliverables_count=0).reference for _ in range(5)]
    viewer = client_for(app, cast.viewer)
    first = viewer.get("/contracts/?per_page=2").text
    third = viewer.get("/contracts/?per_page=2&page=3").text
    assert refs(first) == made[:2] and refs(third) == made[4:]
    assert "Page 1 of 3" in first and "5 items" in first


def test_the_list_runs_the_same_statements_for_5_and_50_contracts(app, session, cast):
    for _ in range(5):
        make_contract(session, cast, deliverables_count=0)
    sponsor = client_for(app, cast.sponsor)  # the sponsor: visibility filter included
    viewer = client_for(app, cast.viewer)
    for who in (sponsor, viewer):
        who.get("/contracts/")  # warm up (first-request work is not the list's)
    with count_statements(app) as small_s:
        assert len(refs(sponsor.get("/contracts/").text)) == 5
    with count_statements(app) as small_v:
        viewer.get("/contracts/")
    for _ in range(45):
        make_contract(session, cast, deliverables_count=0)
    with count_statements(app) as large_s:
        assert len(refs(sponsor.get("/contracts/").text)) == 25  # one page
    with count_statements(app) as large_v:
        viewer.get("/contracts/?sort=-window_end&expiring=400")
    assert len(small_s) == len(large_s)
    assert len(small_v) == len(large_v)
    assert len(large_v) < 15, large_v


def test_sponsors_and_contributors_see_only_their_contracts(app, session, cast):
    mine = make_contract(session, cast)
    not_mine = make_contract(session, cast, sponsor_id=cast.person["lead"], representative_id=None)
    sponsor = client_for(app, cast.sponsor)
    assert refs(sponsor.get("/contracts/").text) == [mine.reference]
    assert sponsor.get(f"/contracts/{not_mine.id}").status_code == 404
    partner = client_for(app, cast.partner)  # a contributor named as representative
    assert refs(partner.get("/contracts/").text) == [mine.reference]
    outsider = client_for(app, cast.outsider)
    assert refs(outsider.get("/contracts/").text) == []
    assert "No contract matches these filters." in outsider.get("/contracts/").text
    viewer = client_for(app, cast.viewer)
    assert set(refs(viewer.get("/contracts/").text)) == {mine.reference, not_mine.reference}


def test_past_the_count_limit_the_pager_says_more_than(app, session, cast, monkeypatch):
    from eagov.web import pagination

    for _ in range(3):
        make_contract(session, cast, deliverables_count=0)
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 2)
    viewer = client_for(app, cast.viewer)
    html = viewer.get("/contracts/?per_page=1").text
    assert "More than 2 items" in html and "Page 1 of more than 2" in html
    assert "page=2" in html  # a next page
    html = viewer.get("/contracts/?per_page=1&page=3").text
    assert "3 items" in html and "Page 3 of 3" in html

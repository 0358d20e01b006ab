"""The maturity pages: the list with its filters in bounded queries, setting up an
assessment, scoring with hidden scores, consolidation, publication, trend and comparison."""

from __future__ import annotations

import re
from datetime import date

from conftest import count_statements, csrf_from, login, post_form
from maturity_factory import create_assessment, make_setup, published, score_all

from eagov.permissions import Actor
from eagov.services import maturity_assessments as svc


def _open(session, st):
    aid = create_assessment(session, st)
    fac = Actor.of(st.facilitator)
    svc.open_scoring(session, fac, aid, svc.get(session, fac, aid).version)
    return aid


def test_list_filters_and_bounded_statements(app, client, session):
    st = make_setup(session, assessors=1)
    published(session, st, [[1, 2, 3]], on=date(2024, 5, 1))
    create_assessment(session, st)
    login(client, st.outsider.email)
    page = client.get("/maturity/")
    assert page.status_code == 200
    assert page.text.count("data-reference=") == 2
    only = client.get(f"/maturity/?state=published&unit={st.unit_id}&model=acmm")
    assert only.text.count("data-reference=") == 1 and "MA-2024-001" in only.text
    assert client.get("/maturity/?model=nope&state=bogus").status_code == 200

    with count_statements(app) as few:
        client.get("/maturity/")
    for i in range(10):
        create_assessment(session, st, on=date(2023, 1, i + 1))
    with count_statements(app) as many:
        client.get("/maturity/?per_page=50")
    assert len(many) == len(few)


def test_create_through_the_form(client, session):
    st = make_setup(session, assessors=2)
    login(client, st.coordinator.email)
    bad = post_form(client, "/maturity/new", {"model_id": st.model.id, "assessed_on": "x"})
    assert bad.status_code == 422 and "is-invalid" in bad.text
    resp = post_form(
        client,
        "/maturity/new",
        {
            "model_id": st.model.id,
            "org_unit_id": st.unit_id,
            "assessed_on": "2025-06-01",
            "facilitator_id": st.facilitator.id,
            "title": "Mid-year",
            "assessor_ids": [u.id for u in st.assessors],
        },
    )
    assert resp.status_code == 302, resp.text
    page = client.get(resp.headers["Location"])
    assert "Mid-year" in page.text and all(u.name in page.text for u in st.assessors)


def test_an_assessor_scores_without_seeing_the_others(client, session):
    st = make_setup(session, assessors=2)
    aid = _open(session, st)
    first, second = st.assessors
    score_all(session, st, aid, first, [5, 5, 5])
    login(client, second.email)
    url = f"/maturity/{aid}?tab=scoring"
    page = client.get(url)
    assert page.status_code == 200 and "E1 at level 3" in page.text  # descriptors per level
    assert first.name not in page.text.split('id="scoring"')[1]  # nobody else's marks
    e1, e2, e3 = (e.id for e in st.elements)
    draft = post_form(
        client, f"/maturity/{aid}/scores", {f"level-{e1}": "2", "action": "save"}, url
    )
    assert draft.status_code == 302
    refused = post_form(
        client, f"/maturity/{aid}/scores", {f"level-{e1}": "2", "action": "submit"}, url
    )
    assert refused.status_code == 422 and "Element 2" in refused.text
    version = re.search(rf'name="version-{e1}" value="(\d+)"', refused.text).group(1)
    done = post_form(
        client,
        f"/maturity/{aid}/scores",
        {
            f"level-{e1}": "2",
            f"version-{e1}": version,
            f"level-{e2}": "3",
            f"level-{e3}": "1",
            f"evidence-{e3}": "Only a draft process",
            "action": "submit",
        },
        url,
    )
    assert done.status_code == 302, done.text
    after = client.get(url).text
    assert 'id="submitted-note"' in after and f'data-mark="{first.name}"' in after


def test_the_facilitator_closes_consolidates_and_publishes(client, session):
    st = make_setup(session, assessors=2)
    aid = _open(session, st)
    score_all(session, st, aid, st.assessors[0], [1, 2, 3])
    score_all(session, st, aid, st.assessors[1], [3, 2, 3])
    login(client, st.facilitator.email)
    page = client.get(f"/maturity/{aid}?tab=consolidation")
    assert "data-mark=" not in page.text  # hidden while scoring runs
    version = svc.get(session, Actor.of(st.facilitator), aid).version
    stale = post_form(
        client, f"/maturity/{aid}/close", {"version": version + 5}, f"/maturity/{aid}"
    )
    assert stale.status_code == 409
    closed = post_form(client, f"/maturity/{aid}/close", {"version": version}, f"/maturity/{aid}")
    assert closed.status_code == 302
    page = client.get(f"/maturity/{aid}?tab=consolidation").text
    assert 'data-disagreement="1"' in page and 'data-spread="1-3"' in page
    element = st.elements[0]
    row = svc.results_of(session, aid)[element.id]
    url = f"/maturity/{aid}/elements/{element.id}"
    refused = post_form(
        client,
        url,
        {"version": row.version, "level": "2", "target": "4"},
        f"/maturity/{aid}?tab=consolidation",
    )
    assert refused.status_code == 422 and "Say why" in refused.text
    ok = post_form(
        client,
        url,
        {"version": row.version, "level": "2", "target": "4", "target_rationale": "Needed"},
        f"/maturity/{aid}?tab=consolidation",
    )
    assert ok.status_code == 302
    session.expire_all()
    version = svc.get(session, Actor.of(st.facilitator), aid).version
    published_resp = post_form(
        client, f"/maturity/{aid}/publish", {"version": version}, f"/maturity/{aid}"
    )
    assert published_resp.status_code == 302
    page = client.get(f"/maturity/{aid}").text
    assert 'id="locked"' in page and "<svg" in page and 'id="gaps"' in page
    assert 'data-gap="2"' in page


def test_a_reader_cannot_act(client, session):
    st = make_setup(session, assessors=1)
    aid = _open(session, st)
    login(client, st.outsider.email)
    page = client.get(f"/maturity/{aid}")
    assert "close-scoring" not in page.text
    resp = client.post(f"/maturity/{aid}/close", data={"csrf_token": csrf_from(page.text)})
    assert resp.status_code == 403


def test_trend_and_comparison_pages(client, session):
    st = make_setup(session, assessors=1)
    published(session, st, [[1, 1, 1]], on=date(2024, 1, 1))
    published(session, st, [[2, 3, 2]], on=date(2025, 1, 1))
    login(client, st.outsider.email)
    trend = client.get(f"/maturity/units/{st.unit_id}/trend?model=acmm")
    assert trend.status_code == 200 and trend.text.count("data-reference=") == 2
    assert "<svg" in trend.text
    cmp = client.get(f"/maturity/comparison?model=acmm&unit={st.unit_id}")
    assert cmp.status_code == 200 and 'data-unit="Unit A"' in cmp.text and "<svg" in cmp.text
    assert client.get("/maturity/units/99999/trend").status_code == 404

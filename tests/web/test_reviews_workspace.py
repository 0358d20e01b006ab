"""The reviewer workspace: every item by category in the reader's language, one small form per
item, saving returns to the next item, a stale version is refused (409) for that item with the
other reviewer's values shown and the typed text kept, and who may answer when."""

from __future__ import annotations

import re

import pytest
from contract_factory import make_cast
from test_contracts_support import client_for, send, text_of
from test_reviews_support import import_baseline, tailored, to_state

from eagov.schemas.reviews import AnswerIn
from eagov.services import reviews


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def library(session):
    return import_baseline(session)


def test_workspace_lists_items_with_guidance_and_a_form_each(app, session, cast, library):
    review = tailored(session, cast, library)
    items = reviews.items_of(session, review.id)
    lead = client_for(app, cast.lead)
    page = lead.get(f"/reviews/{review.id}/workspace")
    assert page.status_code == 200
    html = page.text
    assert "Security" in html and items[0].question["en"] in html
    assert items[0].guidance["en"][:40] in html and "Guidance and principle" in html
    assert len(re.findall(r'data-item-form="\d+"', html)) == len(items)
    # the level select lists the levels by name; the script is loaded with the nonce
    assert ">Fully conformant</option>" in html and ">Non-conformant</option>" in html
    assert re.search(r'<script src="/static/review-workspace.js" nonce="[^"]+"', html)
    # fields in keyboard order: answer, level, evidence link, evidence date, notes, save
    form = html[html.index(f'data-item-form="{items[0].id}"') :]
    form = form[: form.index("</form>")]
    order = [form.index(f'name="{n}"') for n in ("answer", "level", "evidence_link", "notes")]
    assert order == sorted(order) and form.index('type="submit"') > order[-1]
    # in Chinese the question is in Chinese
    zh = lead.get(f"/reviews/{review.id}/workspace", headers={"Accept-Language": "zh-Hans"})
    assert items[0].question["zh_Hans"] in zh.text


def test_saving_an_item_returns_at_the_next_one(app, session, cast, library):
    review = tailored(session, cast, library)
    first, second = reviews.items_of(session, review.id)[:2]
    lead = client_for(app, cast.lead)
    resp = send(
        lead,
        f"/reviews/items/{first.id}",
        {
            "version": first.version,
            "answer": "A dated threat model exists.",
            "level": "conformant",
            "evidence_link": "https://wiki.example.com/threat-model",
            "evidence_date": "2026-10-01",
            "notes": "Checked with the security lead.",
        },
    )
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/reviews/{review.id}/workspace#item-{second.id}")
    page = lead.get(resp.headers["Location"]).text
    assert f"Item {first.reference} saved." in page
    assert "A dated threat model exists." in page
    session.refresh(first)
    assert first.level == "conformant" and first.evidence_link.endswith("threat-model")


def test_invalid_input_is_refused_for_that_item_with_the_text_kept(app, session, cast, library):
    review = tailored(session, cast, library)
    item = reviews.items_of(session, review.id)[0]
    lead = client_for(app, cast.lead)
    resp = send(
        lead,
        f"/reviews/items/{item.id}",
        {"version": item.version, "answer": "Typed answer", "evidence_link": "ftp://x"},
    )
    assert resp.status_code == 422
    assert "The link must start with https:// or http://." in resp.text
    assert ">Typed answer</textarea>" in resp.text and 'value="ftp://x"' in resp.text


def test_a_stale_version_shows_the_other_reviewers_answer(app, session, cast, library):
    review = tailored(session, cast, library)
    item = reviews.items_of(session, review.id)[0]
    seen_version = item.version
    reviews.answer_item(
        session,
        cast.actor("coordinator"),
        item.id,
        AnswerIn(answer="Their answer.", level="compliant"),
        item.version,
    )
    lead = client_for(app, cast.lead)
    resp = send(
        lead,
        f"/reviews/items/{item.id}",
        {"version": seen_version, "answer": "My typed answer.", "level": "non_conformant"},
    )
    assert resp.status_code == 409
    text = text_of(resp.text)
    assert "Someone else changed" in text
    assert "Saved by the other reviewer" in text and "Their answer." in text
    assert ">My typed answer.</textarea>" in resp.text
    assert 'value="non_conformant" selected' in resp.text
    # the form now carries the current version: saving again overwrites on purpose
    session.refresh(item)
    assert f'name="version" value="{item.version}"' in resp.text
    again = send(
        lead,
        f"/reviews/items/{item.id}",
        {"version": item.version, "answer": "My typed answer.", "level": "non_conformant"},
    )
    assert again.status_code == 302


def test_who_may_answer_and_when(app, session, cast, library):
    review = tailored(session, cast, library)
    item = reviews.items_of(session, review.id)[0]
    viewer = client_for(app, cast.viewer)
    page = viewer.get(f"/reviews/{review.id}/workspace").text
    assert 'id="read-only"' in page and "data-item-form" not in page
    no = send(viewer, f"/reviews/items/{item.id}", {"version": item.version, "answer": "x"})
    assert no.status_code == 403
    assert "Only the architects of this review answer its checklists." in no.text
    done = to_state(session, make_cast(session, tag="-x"), library, "report_drafted")
    other = reviews.items_of(session, done.id)[0]
    coordinator = client_for(app, cast.coordinator)
    late = send(
        coordinator, f"/reviews/items/{other.id}", {"version": other.version, "answer": "x"}
    )
    assert late.status_code == 409 and "between tailoring and the report" in late.text
    assert send(coordinator, "/reviews/items/999999", {"answer": "x"}).status_code == 404

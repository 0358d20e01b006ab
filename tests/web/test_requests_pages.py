"""Request desk pages: intake keeps input, My requests, the desk list with filters, exports and
bounded queries, triage and conversions through forms, service targets, and the public
one-time survey."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import count_statements, csrf_from, login, post_form
from contract_factory import make_cast
from sqlmodel import select

from eagov.models import GovernanceRequest, SurveyInvitation
from eagov.permissions import SYSTEM
from eagov.schemas.requests import RequestIn, ResolveIn, TriageIn
from eagov.services import requests as svc
from eagov.services import surveys


@pytest.fixture
def cast(session):
    return make_cast(session)


def file_one(session, actor, type_="architecture_question", now=None, title="Which broker?"):
    return svc.file(
        session,
        actor,
        RequestIn(type=type_, title=title, description="We need a decision on the broker soon."),
        now=now,
    )


def sign_in(client, user):
    assert login(client, user.email).status_code == 302


def test_intake_keeps_what_was_typed_and_marks_the_fields(client, cast):
    sign_in(client, cast.viewer)
    resp = post_form(
        client,
        "/requests/new",
        {
            "type": "complaint",
            "channel": "web_form",
            "priority": "high",
            "title": "Slow",
            "description": "short",
        },
    )
    assert resp.status_code == 422
    assert 'id="e-description"' in resp.text and 'value="Slow"' in resp.text
    assert 'value="complaint" selected' in resp.text
    # Only the desk records requests taken by phone: the form offers the web form only.
    assert 'value="phone"' not in resp.text


def test_filing_leads_to_the_request_and_my_requests(client, session, cast):
    sign_in(client, cast.viewer)
    resp = post_form(
        client,
        "/requests/new",
        {
            "type": "architecture_question",
            "channel": "web_form",
            "priority": "normal",
            "title": "Which broker for payments?",
            "description": "We need a decision on the broker before the design review.",
            "requested_outcome": "A named product",
        },
    )
    assert resp.status_code == 302
    req = session.exec(select(GovernanceRequest)).one()
    page = client.get(resp.headers["Location"])
    assert req.reference in page.text and "A named product" in page.text
    mine = client.get("/requests/")
    assert req.reference in mine.text and "My requests" in mine.text
    # A requester neither triages nor sees the history tab.
    assert 'id="triage"' not in page.text and "tab=history" not in page.text


def test_the_desk_files_on_behalf_of_a_caller(client, session, cast):
    sign_in(client, cast.coordinator)
    resp = post_form(
        client,
        "/requests/new",
        {
            "type": "complaint",
            "channel": "phone",
            "priority": "high",
            "title": "Review took too long",
            "description": "The caller waited six weeks for the review report.",
            "requester_name": "Pat Caller",
            "requester_email": "pat@example.org",
        },
    )
    assert resp.status_code == 302
    req = session.exec(select(GovernanceRequest)).one()
    assert (req.channel, req.requester_name, req.requester_id) == ("phone", "Pat Caller", None)


def test_others_requests_are_hidden_from_a_requester(client, session, cast):
    other = file_one(session, cast.actor("partner"))
    sign_in(client, cast.viewer)
    assert client.get(f"/requests/{other.id}").status_code == 404
    assert client.get("/requests/queue").status_code == 403


def test_triage_from_the_request_page(client, session, cast):
    req = file_one(session, cast.actor("viewer"))
    sign_in(client, cast.coordinator)
    url = f"/requests/{req.id}"
    resp = post_form(
        client,
        f"{url}/triage",
        {"assignee_id": str(cast.lead.id), "priority": "urgent", "version": str(req.version)},
        page=url,
    )
    assert resp.status_code == 302
    session.refresh(req)
    assert (req.state, req.priority, req.assignee_id) == ("assigned", "urgent", cast.lead.id)
    stale = post_form(client, f"{url}/triage", {"priority": "low", "version": "1"}, page=url)
    assert stale.status_code == 409 and 'id="triage-error"' in stale.text


def test_an_architect_cannot_triage(client, session, cast):
    req = file_one(session, cast.actor("viewer"))
    sign_in(client, cast.lead)
    url = f"/requests/{req.id}"
    assert 'id="triage"' not in client.get(url).text
    resp = post_form(client, f"{url}/triage", {"priority": "low"}, page=url)
    assert resp.status_code == 403


def test_a_failing_conversion_shows_the_errors_and_changes_nothing(client, session, cast):
    req = file_one(session, cast.actor("viewer"), type_="review_request")
    sign_in(client, cast.coordinator)
    url = f"/requests/{req.id}"
    resp = post_form(
        client,
        f"{url}/convert-review",
        {"board_id": "", "project": "P", "checkpoint": "ad_hoc", "version": str(req.version)},
        page=url,
    )
    assert resp.status_code == 422
    assert 'id="board_id-error"' in resp.text and 'id="project-error"' in resp.text
    session.refresh(req)
    assert req.state == "new" and req.review_id is None
    ok = post_form(
        client,
        f"{url}/convert-review",
        {"board_id": str(cast.board_id), "project": "Payments", "checkpoint": "ad_hoc"},
        page=url,
    )
    assert ok.status_code == 302
    session.refresh(req)
    page = client.get(url).text
    assert req.review_id is not None and 'id="linked-review"' in page


def test_the_work_view_and_resolution(client, session, cast):
    req = file_one(session, cast.actor("viewer"))
    svc.triage(session, cast.actor("coordinator"), req.id, TriageIn(assignee_id=cast.lead.id), None)
    sign_in(client, cast.lead)
    assert req.reference in client.get("/requests/work").text
    url = f"/requests/{req.id}"
    empty = post_form(client, f"{url}/resolve", {"outcome": ""}, page=url)
    assert empty.status_code == 422 and 'id="outcome-error"' in empty.text
    done = post_form(client, f"{url}/resolve", {"outcome": "Use the group broker."}, page=url)
    assert done.status_code == 302
    session.refresh(req)
    assert req.state == "resolved"


def test_list_filters_and_exports(client, session, cast):
    viewer = cast.actor("viewer")
    old = file_one(
        session, viewer, now=datetime.now(UTC) - timedelta(days=30), title="Old question"
    )
    file_one(session, viewer, type_="complaint", title="Fresh complaint")
    sign_in(client, cast.coordinator)
    breached = client.get("/requests/", query_string={"breached": "1"}).text
    assert old.reference in breached and "Fresh complaint" not in breached
    assert "response target breached" in breached
    by_type = client.get("/requests/", query_string={"type": "complaint"}).text
    assert "Fresh complaint" in by_type and "Old question" not in by_type
    csv = client.get("/requests/export.csv", query_string={"q": "old"})
    assert csv.status_code == 200 and "Old question" in csv.data.decode("utf-8-sig")
    assert "Fresh complaint" not in csv.data.decode("utf-8-sig")
    xlsx = client.get("/requests/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


@pytest.mark.parametrize("path", ["/requests/", "/requests/queue", "/requests/mine"])
def test_lists_run_a_bounded_number_of_statements(app, client, session, cast, path):
    sign_in(client, cast.coordinator)
    file_one(session, cast.actor("coordinator"))
    with count_statements(app) as few:
        assert client.get(path).status_code == 200
    for i in range(10):
        req = file_one(session, cast.actor("coordinator"), title=f"Question {i}")
        svc.triage(session, SYSTEM, req.id, TriageIn(assignee_id=cast.lead.id), None)
    with count_statements(app) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


def test_service_targets_page(client, session, cast):
    sign_in(client, cast.coordinator)
    page = client.get("/requests/service-targets")
    assert 'name="urgent-first_response_hours"' in page.text
    data = {
        f"{p}-{k}": v
        for p in ("low", "normal", "high", "urgent")
        for k, v in (("first_response_hours", "10"), ("resolution_hours", "50"))
    }
    bad = post_form(
        client, "/requests/service-targets", data | {"urgent-resolution_hours": "2", "version": "0"}
    )
    assert bad.status_code == 422 and "is-invalid" in bad.text
    ok = post_form(client, "/requests/service-targets", data | {"version": "0"})
    assert ok.status_code == 302
    stale = post_form(client, "/requests/service-targets", data | {"version": "0"})
    assert stale.status_code == 409


def _resolved(session, cast, app):
    req = file_one(session, cast.actor("viewer"))
    svc.triage(session, cast.actor("coordinator"), req.id, TriageIn(assignee_id=cast.lead.id), None)
    config = svc.SurveyConfig(secret=app.config["SECRET_KEY"])
    svc.resolve(
        session,
        cast.actor("lead"),
        req.id,
        ResolveIn(outcome="Use the group broker."),
        None,
        survey=config,
    )
    return req


def test_the_requester_finds_the_survey_and_answers_it_once_without_signing_in(
    app, client, session, cast
):
    req = _resolved(session, cast, app)
    sign_in(client, cast.viewer)
    assert 'data-survey="open"' in client.get("/requests/").text
    page = client.get(f"/requests/{req.id}").text
    link = page.split('id="survey-link" href="')[1].split('"')[0]
    anonymous = app.test_client()
    form = anonymous.get(link)
    assert form.status_code == 200 and "How did we do?" in form.text
    no_csrf = anonymous.post(link, data={"rating": "5"})
    assert no_csrf.status_code == 400
    missing = anonymous.post(link, data={"comment": "x", "csrf_token": csrf_from(form.text)})
    assert missing.status_code == 422 and 'id="e-rating"' in missing.text
    done = anonymous.post(
        link,
        data={"rating": "4", "comment": "Quick and clear.", "csrf_token": csrf_from(form.text)},
    )
    assert done.status_code == 200 and 'data-reason="thanks"' in done.text
    again = anonymous.get(link)
    assert again.status_code == 409 and 'data-reason="answered"' in again.text
    desk_client = app.test_client()
    sign_in(desk_client, cast.coordinator)
    desk = desk_client.get(f"/requests/{req.id}").text
    assert 'data-rating="4"' in desk and "Quick and clear." in desk


def test_an_expired_or_unknown_survey_link(app, session, cast):
    req = _resolved(session, cast, app)
    invitation = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.request_id == req.id)
    ).one()
    token = surveys.link_token(invitation, app.config["SECRET_KEY"])
    invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.add(invitation)
    session.commit()
    anonymous = app.test_client()
    expired = anonymous.get(f"/survey/{token}")
    assert expired.status_code == 410 and 'data-reason="expired"' in expired.text
    assert anonymous.get("/survey/not-a-token").status_code == 404


def test_pages_other_than_the_survey_need_a_login(client):
    resp = client.get("/requests/new")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")

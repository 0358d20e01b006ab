"""The satisfaction survey: one answer per request, expiry, only the token's hash stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from contract_factory import make_cast
from sqlmodel import select

from eagov.errors import NotFound
from eagov.models import AuditEvent, SurveyInvitation
from eagov.schemas.requests import ReasonIn, RequestIn, ResolveIn, SurveyAnswerIn, TriageIn
from eagov.services import requests as svc
from eagov.services import surveys
from eagov.services.accounts import sha256

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "test-secret"
CONFIG = svc.SurveyConfig(secret=SECRET, valid_days=10)


@pytest.fixture
def resolved(session):
    cast = make_cast(session)
    req = svc.file(
        session,
        cast.actor("viewer"),
        RequestIn(type="complaint", title="Slow review", description="Six weeks for a report."),
        now=NOW,
    )
    svc.triage(session, cast.actor("coordinator"), req.id, TriageIn(assignee_id=cast.lead.id), None)
    svc.resolve(
        session,
        cast.actor("lead"),
        req.id,
        ResolveIn(outcome="Sorry; fixed."),
        None,
        survey=CONFIG,
        now=NOW,
    )
    invitation = session.exec(select(SurveyInvitation)).one()
    return cast, req, invitation


def test_only_the_hash_is_stored_and_the_link_can_be_shown_again(resolved):
    _cast, _req, invitation = resolved
    token = surveys.link_token(invitation, SECRET)
    assert token and len(token) >= 40
    assert invitation.token_hash == sha256(token) and token not in invitation.token_hash
    assert surveys.link_token(invitation, "another-secret") is None
    assert invitation.expires_at.replace(tzinfo=UTC) == NOW + timedelta(days=10)


def test_one_answer_per_request(session, resolved):
    _cast, req, invitation = resolved
    token = surveys.link_token(invitation, SECRET)
    surveys.answer(session, token, SurveyAnswerIn(rating=5, comment="Great"), now=NOW)
    with pytest.raises(surveys.SurveyClosed) as exc:
        surveys.answer(session, token, SurveyAnswerIn(rating=1), now=NOW)
    assert exc.value.reason == "answered"
    session.refresh(invitation)
    assert (invitation.rating, invitation.comment) == (5, "Great")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "answer_survey")).one()
    assert event.entity_id == str(req.id) and event.actor_id is None


def test_expiry_uses_the_injected_now(session, resolved):
    _cast, _req, invitation = resolved
    token = surveys.link_token(invitation, SECRET)
    surveys.find(session, token, now=NOW + timedelta(days=9))
    with pytest.raises(surveys.SurveyClosed) as exc:
        surveys.answer(session, token, SurveyAnswerIn(rating=3), now=NOW + timedelta(days=10))
    assert exc.value.reason == "expired"


def test_a_wrong_token_is_not_found(session, resolved):
    with pytest.raises(NotFound):
        surveys.find(session, "nope", now=NOW)


def test_ratings_are_one_to_five():
    for bad in (0, 6):
        with pytest.raises(ValueError):
            SurveyAnswerIn(rating=bad)


def test_reopening_and_resolving_again_never_asks_twice(session, resolved):
    cast, req, invitation = resolved
    token = surveys.link_token(invitation, SECRET)
    surveys.answer(session, token, SurveyAnswerIn(rating=2), now=NOW)
    svc.reopen(session, cast.actor("coordinator"), req.id, ReasonIn(reason="Still slow."), None)
    svc.resolve(
        session, cast.actor("lead"), req.id, ResolveIn(outcome="Now fixed."), None, survey=CONFIG
    )
    again = session.exec(select(SurveyInvitation)).one()
    assert again.answered_at is not None and again.rating == 2

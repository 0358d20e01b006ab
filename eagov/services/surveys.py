"""The satisfaction survey of a resolved request: a one-time link, answered without signing in.

The link's token is never stored, only its SHA-256 (as for API tokens): a copy of the
database does not let anyone answer in the requester's name. The requester must still be
able to find the link on their request page until the e-mail delivery exists, so the token
is not drawn from ``secrets`` but derived with an HMAC of the application's secret key over
the request and the moment the invitation was made: unguessable without the key, and
reproducible by the application to show it again. Rotating the secret key retires the links
shown on pages (``link_token`` then returns None); answering needs the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..errors import Conflict, NotFound
from ..models import GovernanceRequest, SurveyInvitation, utcnow
from ..permissions import Actor
from ..schemas.requests import SurveyAnswerIn
from . import audit
from .accounts import sha256
from .common import commit, flush

DEFAULT_VALID_DAYS = 30
# Who answers a survey: the holder of the link, not a signed-in user.
RESPONDENT = Actor(None, "survey respondent")


class SurveyClosed(Conflict):
    """The link was used already (``reason == "answered"``) or is out of date ("expired")."""

    def __init__(self, reason: str) -> None:
        message = {
            "answered": _l("This survey has been answered already. Thank you."),
            "expired": _l("This survey link has expired."),
        }[reason]
        super().__init__(message)
        self.reason = reason


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _derive(secret: str, request_id: int, created_at: datetime) -> str:
    stamp = int(aware(created_at).timestamp())
    digest = hmac.new(
        secret.encode(), f"eagov-survey:{request_id}:{stamp}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def invite(
    session: Session,
    request: GovernanceRequest,
    *,
    secret: str,
    now: datetime,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> SurveyInvitation | None:
    """Make (or renew) the survey invitation of a request being resolved; part of the
    caller's transaction. An answered survey is never asked again: one answer per request."""
    assert request.id is not None
    row = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.request_id == request.id)
    ).first()
    if row is not None and row.answered_at is not None:
        return None
    # Whole seconds: the moment must come back from every database exactly as it went in.
    created = now.replace(microsecond=0)
    token = _derive(secret, request.id, created)
    if row is None:
        row = SurveyInvitation(request_id=request.id, token_hash="", expires_at=created)
    row.created_at = created
    row.expires_at = created + timedelta(days=valid_days)
    row.token_hash = sha256(token)
    session.add(row)
    flush(session)
    return row


def of_request(session: Session, request_id: int) -> SurveyInvitation | None:
    return session.exec(
        select(SurveyInvitation).where(SurveyInvitation.request_id == request_id)
    ).first()


def link_token(invitation: SurveyInvitation, secret: str) -> str | None:
    """The token of an invitation's link, to show to the requester; None once the secret
    key changed."""
    token = _derive(secret, invitation.request_id, invitation.created_at)
    return token if hmac.compare_digest(sha256(token), invitation.token_hash) else None


def is_open(invitation: SurveyInvitation, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return invitation.answered_at is None and aware(invitation.expires_at) > now


def find(
    session: Session, token: str, now: datetime | None = None
) -> tuple[SurveyInvitation, GovernanceRequest]:
    """The open invitation a token belongs to (NotFound for a wrong token, SurveyClosed for
    one answered or expired)."""
    now = now or utcnow()
    row = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == sha256(token))
    ).first()
    request = session.get(GovernanceRequest, row.request_id) if row is not None else None
    if row is None or request is None:
        raise NotFound(_l("This survey link is not valid. Check that it was copied whole."))
    if row.answered_at is not None:
        raise SurveyClosed("answered")
    if aware(row.expires_at) <= now:
        raise SurveyClosed("expired")
    return row, request


def answer(
    session: Session, token: str, data: SurveyAnswerIn, now: datetime | None = None
) -> SurveyInvitation:
    """Record the one answer the link allows."""
    now = now or utcnow()
    row, request = find(session, token, now)
    # Only the first of two simultaneous answers changes the row.
    done = session.execute(
        update(SurveyInvitation)
        .where(col(SurveyInvitation.id) == row.id, col(SurveyInvitation.answered_at).is_(None))
        .values(answered_at=now, rating=data.rating, comment=data.comment)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise SurveyClosed("answered")
    audit.record(
        session,
        RESPONDENT,
        "answer_survey",
        "governance_request",
        request.id,
        {"rating": data.rating, "comment": data.comment},
        now=now,
    )
    commit(session)
    session.refresh(row)
    return row

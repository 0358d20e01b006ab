"""Helpers shared by the review page tests (no tests here): a cast, the baseline library and
reviews walked to a given state through the services."""

from __future__ import annotations

from typing import Any

from test_reviews_service import BASELINE, MEETING, requested, to_state

from eagov.permissions import SYSTEM
from eagov.schemas.reviews import AdvanceIn, ParticipantIn, TailorIn
from eagov.services import checklists, reviews

__all__ = ["BASELINE", "MEETING", "import_baseline", "requested", "tailored", "to_state"]


def import_baseline(session: Any) -> Any:
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def tailored(session: Any, cast: Any, library: Any, categories: list[str] | None = None) -> Any:
    """A review with its lead architect, scoped and tailored (answers are taken now)."""
    review = requested(session, cast)
    reviews.add_participant(
        session,
        cast.actor("coordinator"),
        review.id,
        ParticipantIn(person_id=cast.person["lead"], role="lead_architect"),
    )
    reviews.advance(session, cast.actor("coordinator"), review.id, AdvanceIn())
    reviews.tailor(
        session,
        cast.actor("lead"),
        review.id,
        TailorIn(library_id=library.id, categories=categories or ["security"]),
    )
    reviews.advance(session, cast.actor("lead"), review.id, AdvanceIn())
    return review

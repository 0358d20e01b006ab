"""The meeting pack and the minutes of a board meeting as Word documents."""

from __future__ import annotations

from sqlmodel import Session

from ..permissions import Actor


def meeting_pack(session: Session, actor: Actor, meeting_id: int) -> tuple[bytes, str]:
    """The meeting pack (.docx bytes, file name): agenda, papers and a summary of each."""
    raise NotImplementedError  # filled in by the board-documents work


def minutes(session: Session, actor: Actor, meeting_id: int) -> tuple[bytes, str]:
    """The minutes (.docx bytes, file name): attendance, quorum, decisions and actions."""
    raise NotImplementedError  # filled in by the board-documents work

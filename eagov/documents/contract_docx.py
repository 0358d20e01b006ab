"""The Word contract document of one contract version."""

from __future__ import annotations

from sqlmodel import Session

from ..models import Contract, ContractVersion


def build_contract_docx(
    session: Session, contract: Contract, version: ContractVersion, *, locale: str = "en"
) -> bytes:
    """The .docx of ``version`` of ``contract``, in ``locale`` (en or zh_Hans)."""
    raise NotImplementedError("being written")

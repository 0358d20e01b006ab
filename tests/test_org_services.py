"""Organisation services: rules that hold whichever entry point calls them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from eagov.errors import Conflict, Invalid
from eagov.models import AuditEvent, OrgLink, Position
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgLinkIn, OrgUnitIn, PositionIn
from eagov.services import org


def _unit(session, name, parent=None, kind="team"):
    return org.create_unit(session, SYSTEM, OrgUnitIn(name=name, kind=kind, parent_id=parent))


def test_deleting_a_unit_audits_its_positions_and_links(session):
    root = _unit(session, "Root", kind="enterprise")
    doomed = _unit(session, "Doomed", root.id)
    other = _unit(session, "Other", root.id)
    pos = org.create_position(session, SYSTEM, PositionIn(title="Lead", org_unit_id=doomed.id))
    link = org.add_link(session, SYSTEM, OrgLinkIn(from_unit_id=other.id, to_unit_id=doomed.id))
    org.delete_unit(session, SYSTEM, doomed.id, doomed.version)
    deleted = {
        (e.entity_type, e.entity_id)
        for e in session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).all()
    }
    assert deleted == {
        ("position", str(pos.id)),
        ("org_link", str(link.id)),
        ("org_unit", str(doomed.id)),
    }
    assert session.exec(select(Position)).all() == []
    assert session.exec(select(OrgLink)).all() == []


def test_a_unit_cannot_move_below_its_own_descendant(session):
    root = _unit(session, "Root", kind="enterprise")
    child = _unit(session, "Child", root.id)
    grandchild = _unit(session, "Grandchild", child.id)
    with pytest.raises(Invalid) as exc:
        org.update_unit(
            session,
            SYSTEM,
            root.id,
            OrgUnitIn(name="Root", kind="enterprise", parent_id=grandchild.id),
            root.version,
        )
    assert "parent_id" in exc.value.errors


def test_a_unit_with_sub_units_is_not_deleted(session):
    root = _unit(session, "Root", kind="enterprise")
    _unit(session, "Child", root.id)
    with pytest.raises(Conflict):
        org.delete_unit(session, SYSTEM, root.id, root.version)


def test_stale_unit_edit_is_refused_and_nothing_changes(session):
    unit = _unit(session, "Original")
    org.update_unit(session, SYSTEM, unit.id, OrgUnitIn(name="First", kind="team"), 1)
    with pytest.raises(Conflict):
        org.update_unit(session, SYSTEM, unit.id, OrgUnitIn(name="Second", kind="team"), 1)
    session.expire_all()
    assert org.get_or_404(session, type(unit), unit.id).name == "First"

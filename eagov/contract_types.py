"""What each type of architecture contract contains and who must sign it (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from .models import AdmPhase, Capacity, ContractType


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy string: translated when shown


@dataclass(frozen=True)
class TypeSpec:
    type: ContractType
    title: Any
    sections: tuple[Section, ...]
    signatories: tuple[Capacity, ...]
    # Which party the counterparty fields describe, for labels and checks.
    needs_partner: bool = False
    needs_counterparty_unit: bool = False

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


S = Section
TYPES: dict[str, TypeSpec] = {
    ContractType.SOAW: TypeSpec(
        ContractType.SOAW,
        _l("Statement of Architecture Work"),
        (
            S("request_background", _l("Request and background")),
            S("description_scope", _l("Description and scope")),
            S("vision_overview", _l("Overview of the architecture vision")),
            S("change_of_scope", _l("Change-of-scope procedures")),
            S("roles_deliverables", _l("Roles, responsibilities and deliverables")),
            S("acceptance", _l("Acceptance criteria and procedures")),
            S("plan_schedule", _l("Plan and schedule")),
            S("approvals", _l("Approvals")),
        ),
        (Capacity.SPONSOR, Capacity.BOARD_CHAIR),
    ),
    ContractType.DESIGN_DEVELOPMENT: TypeSpec(
        ContractType.DESIGN_DEVELOPMENT,
        _l("Architecture design and development contract"),
        (
            S("introduction", _l("Introduction and background")),
            S("nature", _l("Nature of the agreement")),
            S("scope", _l("Scope")),
            S(
                "principles_requirements",
                _l("Architecture and strategic principles and requirements"),
            ),
            S("conformance", _l("Conformance requirements")),
            S("process_roles", _l("Development and management process and roles")),
            S("target_measures", _l("Target architecture measures")),
            S("deliverable_phases", _l("Phases of deliverables")),
            S("joint_workplan", _l("Prioritised joint workplan")),
            S("time_windows", _l("Time window(s)")),
            S("metrics", _l("Delivery and business metrics")),
        ),
        (Capacity.PARTNER_REPRESENTATIVE, Capacity.LEAD_ARCHITECT, Capacity.BOARD_CHAIR),
        needs_partner=True,
    ),
    ContractType.BUSINESS_STAKEHOLDERS: TypeSpec(
        ContractType.BUSINESS_STAKEHOLDERS,
        _l("Contract with business stakeholders"),
        (
            S("introduction", _l("Introduction and background")),
            S("nature", _l("Nature of the agreement")),
            S("scope", _l("Scope")),
            S("strategic_requirements", _l("Strategic requirements")),
            S("business_deliverables", _l("Deliverables that meet the business requirements")),
            S("conformance", _l("Conformance requirements")),
            S("adopters", _l("Architecture adopters")),
            S("time_window", _l("Time window")),
            S("business_metrics", _l("Business metrics")),
            S("service_levels", _l("Service levels (SLA)")),
        ),
        (Capacity.BUSINESS_REPRESENTATIVE, Capacity.LEAD_ARCHITECT, Capacity.BOARD_CHAIR),
        needs_counterparty_unit=True,
    ),
}

CAPACITY_LABELS: dict[str, Any] = {
    Capacity.SPONSOR: _l("Architecture Sponsor"),
    Capacity.BOARD_CHAIR: _l("Chair of the Architecture Board"),
    Capacity.LEAD_ARCHITECT: _l("Lead architect"),
    Capacity.PARTNER_REPRESENTATIVE: _l("Partner representative"),
    Capacity.BUSINESS_REPRESENTATIVE: _l("Business representative"),
}

PHASE_LABELS: dict[str, Any] = {
    AdmPhase.PRELIMINARY: _l("Preliminary"),
    AdmPhase.A: _l("A. Architecture Vision"),
    AdmPhase.B: _l("B. Business Architecture"),
    AdmPhase.C: _l("C. Information Systems Architectures"),
    AdmPhase.D: _l("D. Technology Architecture"),
    AdmPhase.E: _l("E. Opportunities and Solutions"),
    AdmPhase.F: _l("F. Migration Planning"),
    AdmPhase.G: _l("G. Implementation Governance"),
    AdmPhase.H: _l("H. Architecture Change Management"),
    AdmPhase.REQUIREMENTS: _l("Requirements Management"),
}

DELIVERABLE_KINDS = (
    "Architecture Vision",
    "Architecture Definition Document",
    "Architecture Requirements Specification",
    "Architecture Roadmap",
    "Implementation and Migration Plan",
    "Compliance Assessment",
    "Change Request",
    "Other",
)


def spec(contract_type: str) -> TypeSpec:
    return TYPES[contract_type]

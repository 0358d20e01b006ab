"""Human labels for stored codes (roles, kinds, levels), translated at render time."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

LABELS: dict[str, Any] = {
    # roles
    "admin": _l("Administrator"),
    "board_chair": _l("Board chair"),
    "board_member": _l("Board member"),
    "review_coordinator": _l("Review co-ordinator"),
    "architect": _l("Architect"),
    "sponsor": _l("Sponsor"),
    "contributor": _l("Contributor"),
    "viewer": _l("Viewer"),
    # unit kinds
    "enterprise": _l("Enterprise"),
    "division": _l("Division"),
    "business_unit": _l("Business unit"),
    "function": _l("Function / department"),
    "product_line": _l("Product line"),
    "customer_segment": _l("Customer segment"),
    "region": _l("Region"),
    "team": _l("Team"),
    "board": _l("Board / committee"),
    # architecture roles
    "ea_manager": _l("Enterprise Architecture manager"),
    "ea_technology": _l("Enterprise architect (technology)"),
    "ea_data": _l("Enterprise architect (data)"),
    "ea_applications": _l("Enterprise architect (applications)"),
    "ea_business": _l("Enterprise architect (business)"),
    "programme_manager": _l("Programme / project manager"),
    "it_designer": _l("IT designer"),
    # boards
    "global": _l("Global"),
    "local": _l("Local"),
    "chair": _l("Chair"),
    "member": _l("Member"),
    "secretary": _l("Secretary"),
    # audit actions
    "create": _l("created"),
    "update": _l("updated"),
    "delete": _l("deleted"),
    "invite": _l("invited"),
    "add_member": _l("added member"),
    "end_term": _l("ended term"),
    "apply_template": _l("applied template"),
    "import": _l("imported"),
    "change_password": _l("changed password"),
    "update_profile": _l("updated profile"),
    "accept_invite": _l("accepted invitation"),
    "revoke": _l("revoked"),
    # contract statuses and version states
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "active": _l("Active"),
    "completed": _l("Completed"),
    "terminated": _l("Terminated"),
    "expired": _l("Expired"),
    "signed": _l("Signed"),
    "superseded": _l("Superseded"),
    # deliverable statuses
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "waived": _l("Waived"),
    # risk likelihood and impact
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    # contract audit actions
    "submit": _l("submitted for review"),
    "return_to_draft": _l("returned to draft"),
    "approve": _l("approved"),
    "sign": _l("signed"),
    "activate": _l("activated"),
    "amend": _l("amended"),
    "progress": _l("recorded progress"),
    "attach_evidence": _l("attached evidence"),
    "measure": _l("recorded a measurement"),
    # compliance reviews
    "requested": _l("Requested"),
    "scoped": _l("Scoped"),
    "tailored": _l("Checklists tailored"),
    "scheduled": _l("Scheduled"),
    "interviewing": _l("Interviewing"),
    "analysing": _l("Analysing"),
    "report_drafted": _l("Report drafted"),
    "presented": _l("Presented"),
    "signed_off": _l("Signed off"),
    "closed": _l("Closed"),
    "initiation": _l("Project initiation"),
    "initial_design": _l("Initial design"),
    "major_design_change": _l("Major design change"),
    "ad_hoc": _l("Ad hoc"),
    "periodic": _l("Periodic"),
    "accepted_with_conditions": _l("Accepted with conditions"),
    "project_leader": _l("Project leader"),
    "coordinator": _l("Review co-ordinator"),
    "lead_architect": _l("Lead architect"),
    "customer": _l("Customer"),
    "domain_expert": _l("Business domain expert"),
    "principal": _l("Project principal"),
    "open": _l("Open"),
    "resolved": _l("Resolved"),
    "verified": _l("Verified"),
    "granted": _l("Granted"),
    "refused": _l("Refused"),
    "revoked": _l("Revoked"),
    "critical": _l("Critical"),
    "irrelevant": _l("Irrelevant"),
    "consistent": _l("Consistent"),
    "compliant": _l("Compliant"),
    "conformant": _l("Conformant"),
    "fully_conformant": _l("Fully conformant"),
    "non_conformant": _l("Non-conformant"),
    "request": _l("requested"),
    "scope": _l("scoped"),
    "tailor": _l("tailored checklists"),
    "schedule": _l("scheduled"),
    "interview": _l("started interviews"),
    "analyse": _l("started analysis"),
    "draft_report": _l("drafted the report"),
    "present": _l("presented"),
    "sign_off": _l("signed off"),
    "close": _l("filed the report"),
    "answer": _l("answered"),
    "override_level": _l("overrode the level"),
    "add_participant": _l("added a participant"),
    "add_item": _l("added a custom item"),
    "rereview": _l("started a re-review"),
}


# Record types in the audit trail, kept apart: some codes (board_member) are also role names.
ENTITY_LABELS: dict[str, Any] = {
    "org_unit": _l("org unit"),
    "org_link": _l("dotted line"),
    "person": _l("person"),
    "position": _l("position"),
    "board": _l("Architecture Board"),
    "board_member": _l("board membership"),
    "user": _l("user"),
    "api_token": _l("API token"),
    "contract": _l("architecture contract"),
    "contract_version": _l("contract version"),
    "deliverable": _l("deliverable"),
    "contract_metric": _l("contract metric"),
    "review": _l("compliance review"),
    "review_item": _l("checklist answer"),
    "finding": _l("finding"),
    "dispensation": _l("dispensation"),
    "checklist_library": _l("checklist library"),
}


def entity_label(entity_type: str) -> str:
    found = ENTITY_LABELS.get(entity_type)
    return str(found) if found is not None else entity_type.replace("_", " ")


def label(value: Any) -> str:
    key = getattr(value, "value", value)
    found = LABELS.get(str(key))
    return str(found) if found is not None else str(key).replace("_", " ")

"""The audit log (filters, paging, chain check) and the helpers of the per-record history."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from ..auth import current_actor, permission_required
from ..db import get_session
from ..i18n import select_timezone
from ..models import AuditEvent
from ..services import audit_query
from ..services.audit_query import ChainReport, EventFilter, FieldChange
from .filters import localtime
from .pagination import Page, page_args

bp = Blueprint("audit", __name__, url_prefix="/audit")

FILTER_KEYS = ("entity_type", "entity_id", "actor", "action", "from", "to")

# entity type -> (endpoint, argument name, permission needed to open the page). An endpoint
# that does not exist (yet) simply shows no link.
ENTITY_PAGES: dict[str, tuple[str, str, str]] = {
    "org_unit": ("org.unit", "unit_id", "org.read"),
    "person": ("org.person", "person_id", "org.read"),
    "position": ("org.position", "position_id", "org.read"),
    "board": ("org.board", "board_id", "org.read"),
    "user": ("admin.edit_user", "user_id", "users.manage"),
    "contract": ("contracts.contract", "contract_id", "contracts.read_all"),
}

_HASH = re.compile(r"^[0-9a-f]{64}$")
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


@bp.route("/")
@login_required
@permission_required("audit.read")
def log() -> tuple[str, int]:
    args = {k: request.args.get(k, "").strip() for k in FILTER_KEYS}
    errors: dict[str, str] = {}
    first = _parse_day(args["from"], "from", errors)
    last = _parse_day(args["to"], "to", errors)
    if first and last and first > last:
        errors["to"] = _("The end date is before the start date.")
        last = None
    since, until = audit_query.local_day_range(first, last, select_timezone())
    filters = EventFilter(
        entity_type=args["entity_type"],
        entity_id=args["entity_id"],
        actor=args["actor"],
        action=args["action"],
        since=since,
        until=until,
    )
    s, actor = get_session(), current_actor()
    number, per_page = page_args()
    items, total = audit_query.search_events(s, actor, filters, page=number, per_page=per_page)
    types, actions = audit_query.filter_choices(s, actor)
    html = render_template(
        "audit/log.html",
        page=Page(items, total, number, per_page),
        args=args,
        errors=errors,
        filtered=filters.active,
        entity_types=types,
        actions=actions,
        tip=audit_query.chain_tip(s, actor),
    )
    return html, 422 if errors else 200


@bp.route("/verify", methods=["POST"])
@login_required
@permission_required("audit.read")
def verify() -> Response:
    kept: dict[str, Any] = {k: v for k in FILTER_KEYS if (v := request.form.get(k, ""))}
    back = url_for(".log", **kept)
    anchor = request.form.get("anchor", "").strip().lower()
    if anchor and not _HASH.match(anchor):
        flash(_("A tip hash has 64 hexadecimal characters (0-9, a-f)."), "error")
        return redirect(back)
    report = audit_query.verify(get_session(), current_actor(), anchor or None)
    if report.ok:
        if anchor:
            message = _(
                "Chain intact: %(count)s events checked, and the recorded tip %(anchor)s is "
                "still in it. Tip hash: %(tip)s",
                count=report.checked,
                anchor=anchor[:12],
                tip=report.tip,
            )
        else:
            message = _(
                "Chain intact: %(count)s events checked. Tip hash: %(tip)s",
                count=report.checked,
                tip=report.tip,
            )
        flash(message, "success")
    else:
        flash(_broken_message(report), "error")
    return redirect(back)


def _broken_message(report: ChainReport) -> str:
    seq, good = report.seq, report.checked
    if report.kind == "altered":
        what = _("event %(seq)s was changed after it was written", seq=seq)
    elif report.kind == "removed":
        what = _("events are missing before event %(seq)s", seq=seq)
    elif report.kind == "relinked":
        what = _(
            "event %(seq)s does not follow the event before it (an event was inserted, or the "
            "one before was rewritten)",
            seq=seq,
        )
    elif report.kind == "anchor_missing":
        what = _(
            "the recorded tip hash is no longer in the chain (events were removed from the end, "
            "or the end was rewritten)"
        )
    else:
        what = report.problem or _("unknown problem")
    return _(
        "Chain BROKEN: %(what)s. %(good)s events before it are intact. Details: %(problem)s",
        what=what,
        good=good,
        problem=report.problem or "",
    )


def _parse_day(value: str, key: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


# --- template helpers (also used by the history partial on entity pages) ---------------------


@bp.app_template_global("audit_changes")
def audit_changes(event: AuditEvent) -> list[FieldChange]:
    return audit_query.changed_fields(event)


@bp.app_template_global("audit_entity_url")
def audit_entity_url(entity_type: str, entity_id: str) -> str | None:
    """The page of the record an event is about, when that page exists and the user may open it."""
    target = ENTITY_PAGES.get(entity_type)
    if target is None:
        return None
    endpoint, arg, permission = target
    if endpoint not in current_app.view_functions or not current_actor().can(permission):
        return None
    ident: Any = int(entity_id) if entity_id.isdigit() else entity_id
    try:
        return url_for(endpoint, **{arg: ident})
    except (BuildError, ValueError):
        return None


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str | Markup:
    """A stored value as text for people. The template escapes it (values are user input)."""
    if value is None:
        return Markup('<span class="text-muted">—</span>')
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and _ISO_TIMESTAMP.match(value):
        try:
            return localtime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if value == [] or value == {}:
        return Markup('<span class="text-muted">—</span>')
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)

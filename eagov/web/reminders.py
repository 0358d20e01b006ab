"""Reminder rules and the scheduler's administration (pages).

/admin/reminders/...: the rules (read with reminders.read, changed with reminders.manage);
/admin/scheduler...: the jobs' state, "sweep now", failed e-mails and the 30-day preview
(scheduler.admin). Views parse the form, call a service and render or redirect; a refused
change (403, 409, 422) shows the form again with what was typed and the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from pydantic import ValidationError
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, field_errors, texts
from ..labels import label
from ..models import Channel, ReminderKind, ReminderRule, utcnow
from ..permissions import require
from ..schemas.reminders import (
    ALLOWED_RELATIONS,
    NO_OVERDUE,
    RELATION_LABELS,
    SETTINGS,
    RuleCreate,
    RuleUpdate,
)
from ..services import delivery, scheduler_admin
from ..services import reminders as svc
from .forms import FormState, attempt
from .pagination import page_args

bp = Blueprint("reminders", __name__)

PREVIEW_DAYS = 30


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; services decide who may do what."""
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "relation_label": lambda r: str(RELATION_LABELS.get(r, r)),
        "kinds": [(k.value, label(k)) for k in ReminderKind],
        "channels": [(c.value, label(c)) for c in Channel],
    }


# --- the rules ---------------------------------------------------------------------------------


@bp.route("/admin/reminders/")
def rules() -> str:
    actor = current_actor()
    found = svc.list_rules(get_session(), actor)
    return render_template(
        "reminders/rules.html", rules=found, may_manage=actor.can("reminders.manage")
    )


def _split_numbers(raw: str) -> list[str]:
    return [p for p in re.split(r"[\s,;]+", raw or "") if p]


def _payload(form: FormState, kind: str, *, with_kind: bool) -> dict[str, Any]:
    """The schema's input from the form's strings: "30, 7, 1" is a list of offsets, the
    kind's settings are fields of their own, an empty number is "none"."""
    values = form.values
    payload: dict[str, Any] = {
        "name": values.get("name", ""),
        "offsets": _split_numbers(str(values.get("offsets", ""))),
        "recipients": list(values.get("recipients") or []),
        "channel": values.get("channel") or Channel.BOTH.value,
        "enabled": values.get("enabled") in ("on", "1", "true", "yes"),
        "settings": {
            key: values[f"setting_{key}"]
            for key in SETTINGS.get(kind, {})
            if str(values.get(f"setting_{key}", "")).strip()
        },
    }
    for key in ("overdue_every_days", "escalate_after_days"):
        raw = str(values.get(key, "") or "").strip()
        payload[key] = raw or None
    if with_kind:
        payload["kind"] = kind
    return payload


def _validated(form: FormState, schema: type[Any], payload: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        errors = texts(field_errors(exc))
        # "offsets.1" (the second number) belongs to the offsets field
        form.errors.update({k.split(".")[0]: v for k, v in errors.items()})
        raise Invalid(errors=form.errors) from exc


def _form_of(rule: ReminderRule) -> FormState:
    values: dict[str, Any] = {
        "name": rule.name,
        "offsets": ", ".join(str(o) for o in rule.offsets),
        "overdue_every_days": rule.overdue_every_days or "",
        "escalate_after_days": rule.escalate_after_days or "",
        "recipients": list(rule.recipients),
        "channel": rule.channel,
        "enabled": "on" if rule.enabled else "",
        "version": str(rule.version),
    }
    for key, value in (rule.settings or {}).items():
        values[f"setting_{key}"] = str(value)
    return FormState(values=values)


def _render_form(
    form: FormState, kind: str, rule: ReminderRule | None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "reminders/rule_form.html",
            form=form,
            kind=kind,
            rule=rule,
            relations=ALLOWED_RELATIONS.get(kind, ()),
            settings=SETTINGS.get(kind, {}),
            overdue_allowed=kind not in NO_OVERDUE,
        ),
        status,
    )


@bp.route("/admin/reminders/new", methods=["GET", "POST"])
def new_rule() -> Response | tuple[str, int]:
    actor = current_actor()
    require(actor, "reminders.manage")
    kinds = {k.value for k in ReminderKind}
    kind = request.values.get("kind", "")
    if kind not in kinds:
        kind = ReminderKind.DELIVERABLE_DUE.value
    if request.method == "GET":
        defaults = {
            "offsets": "7, 1",
            "channel": Channel.BOTH.value,
            "enabled": "on",
            "recipients": list(ALLOWED_RELATIONS[kind][:1]),
        }
        return _render_form(FormState(values=defaults), kind, None)
    form = FormState.from_request(request.form, list_fields=("recipients",))
    payload = _payload(form, kind, with_kind=True)
    rule, status = attempt(
        form,
        lambda: svc.create_rule(get_session(), actor, _validated(form, RuleCreate, payload)),
    )
    if rule is not None:
        flash(_("Reminder rule “%(name)s” created.", name=rule.name), "success")
        return redirect(url_for(".rules"))
    return _render_form(form, kind, None, status)


@bp.route("/admin/reminders/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    rule = svc.get_rule(s, actor, rule_id)
    # Before reading the form: without the right, an invalid form is refused, not explained.
    require(actor, "reminders.manage")
    if request.method == "GET":
        return _render_form(_form_of(rule), rule.kind, rule)
    form = FormState.from_request(request.form, list_fields=("recipients",))
    payload = _payload(form, rule.kind, with_kind=False)
    saved, status = attempt(
        form,
        lambda: svc.update_rule(
            s, actor, rule_id, _validated(form, RuleUpdate, payload), form.version()
        ),
    )
    if saved is not None:
        flash(_("Reminder rule “%(name)s” saved.", name=saved.name), "success")
        return redirect(url_for(".rules"))
    if status == 409:
        # Show the current version so that saving again is a deliberate overwrite.
        s.refresh(rule)
        form.values["version"] = str(rule.version)
    return _render_form(form, rule.kind, rule, status)


@bp.route("/admin/reminders/<int:rule_id>/enabled", methods=["POST"])
def toggle_rule(rule_id: int) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    enabled = request.form.get("enabled") in ("1", "on", "true")
    rule, status = attempt(
        form,
        lambda: svc.set_enabled(get_session(), current_actor(), rule_id, enabled, form.version()),
    )
    if rule is None:
        flash(form.message, "danger")
        return _rules_again(status)
    flash(
        _("Reminder rule “%(name)s” switched on.", name=rule.name)
        if rule.enabled
        else _("Reminder rule “%(name)s” switched off.", name=rule.name),
        "success",
    )
    return redirect(url_for(".rules"))


@bp.route("/admin/reminders/<int:rule_id>/delete", methods=["POST"])
def delete_rule(rule_id: int) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)

    def delete() -> bool:
        svc.delete_rule(get_session(), current_actor(), rule_id, form.version())
        return True

    _done, status = attempt(form, delete)
    if status != 200:
        flash(form.message, "danger")
        return _rules_again(status)
    flash(_("Reminder rule deleted."), "success")
    return redirect(url_for(".rules"))


@bp.route("/admin/reminders/defaults", methods=["POST"])
def restore_defaults() -> Response:
    s, actor = get_session(), current_actor()
    require(actor, "reminders.manage")
    count = len(svc.ensure_default_rules(s))
    flash(
        _("%(n)s default rule(s) added.", n=count)
        if count
        else _("Every default rule is already there."),
        "success",
    )
    return redirect(url_for(".rules"))


def _rules_again(status: int) -> tuple[str, int]:
    actor = current_actor()
    found = svc.list_rules(get_session(), actor)
    html = render_template(
        "reminders/rules.html", rules=found, may_manage=actor.can("reminders.manage")
    )
    return html, status


# --- the scheduler -----------------------------------------------------------------------------


def _now() -> datetime:
    return utcnow()


@bp.route("/admin/scheduler")
def scheduler() -> tuple[str, int]:
    return _render_scheduler()


def _render_scheduler(status: int = 200, message: str = "") -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    jobs = scheduler_admin.job_statuses(s, actor, _now(), dict(current_app.config))
    failed = delivery.failed_notifications(s, actor, *page_args())
    html = render_template(
        "reminders/scheduler.html", jobs=jobs, failed=failed, message=message, now=_now()
    )
    return html, status


@bp.route("/admin/scheduler/sweep", methods=["POST"])
def sweep() -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    result, status = attempt(
        form,
        lambda: scheduler_admin.sweep_now(
            get_session(), current_actor(), _now(), scheduler_admin.manual_owner()
        ),
    )
    if result is None:
        return _render_scheduler(status, form.message)
    flash(_("Sweep finished."), "success")
    return redirect(url_for(".scheduler"))


@bp.route("/admin/scheduler/failed/<int:notification_id>/retry", methods=["POST"])
def retry(notification_id: int) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    item, status = attempt(
        form, lambda: delivery.retry(get_session(), current_actor(), notification_id)
    )
    if item is None:
        return _render_scheduler(status, form.message)
    flash(_("The e-mail is queued to be sent again."), "success")
    return redirect(url_for(".scheduler"))


@bp.route("/admin/scheduler/preview")
def preview() -> str:
    actor = current_actor()
    require(actor, "scheduler.admin")
    start = _now()
    items = svc.preview(get_session(), actor, start, days=PREVIEW_DAYS)
    return render_template(
        "reminders/preview.html", days=group_preview(items), start=start, count=len(items)
    )


def group_preview(items: list[Any]) -> list[tuple[date, list[tuple[str, list[Any]]]]]:
    """Day -> kind -> the reminders, in date order."""
    grouped: dict[date, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        grouped[_day(item)][str(_get(item, "kind"))].append(item)
    return [(day, sorted(kinds.items())) for day, kinds in sorted(grouped.items())]


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _day(item: Any) -> date:
    for name in ("day", "due_on", "due_at", "at"):
        value = _get(item, name)
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).date()
        if isinstance(value, date):
            return value
    return date.today()

"""Organisation pages: units, org chart, people, positions, boards, templates, CSV import."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from pydantic import BaseModel
from sqlmodel import Session, SQLModel
from werkzeug.wrappers import Response

from .. import orgchart
from ..auth import current_actor, permission_required
from ..db import get_session
from ..errors import Conflict, Invalid, NotFound
from ..labels import label
from ..models import (
    ArchitectureRole,
    Board,
    BoardLevel,
    BoardMember,
    BoardRole,
    OrgLink,
    OrgUnit,
    Person,
    Position,
    UnitKind,
)
from ..schemas.org import BoardIn, BoardMemberIn, OrgLinkIn, OrgUnitIn, PersonIn, PositionIn
from ..services import audit, org_templates, people_import
from ..services import org as org_service
from ..services import org_queries as queries
from ..services.common import entity_name, get_or_404
from .forms import FormState
from .pagination import Page, page_args
from .query_args import int_arg

bp = Blueprint("org", __name__, url_prefix="/org")

CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_TYPES = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",  # what Windows reports for .csv when Excel is installed
    "application/octet-stream",
    "",
}
CHART_DEFAULT_DEPTH = 3
CHART_MAX_DEPTH = 30


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every organisation page needs a signed-in user (reading is open to every role)."""
    return None


def _page(listing: queries.Listing) -> Page[Any]:
    return Page(listing.items, listing.total, listing.page, listing.per_page)


# --- form handling shared by the edit pages --------------------------------------------------


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _submit(
    form: FormState,
    schema: type[BaseModel],
    action: Callable[[Any], Any],
    stored: SQLModel | None = None,
    fields: Iterable[str] = (),
) -> tuple[Any, int, dict[str, str]]:
    """Validate ``form`` with ``schema`` and run ``action``.

    Returns (result, status, theirs). On a field problem the form keeps what was typed and
    the status is 422; on a stale edit (409) the form still keeps the user's input, moves
    its version on and ``theirs`` lists the fields someone else saved differently.
    """
    try:
        return action(form.validate(schema)), 200, {}
    except Invalid as exc:
        form.fail(exc)
        # Rules over several fields have no field of their own: say them above the form.
        loose = [m for k, m in form.errors.items() if k not in schema.model_fields]
        if loose:
            form.message = " ".join(loose)
        return None, 422, {}
    except Conflict as exc:
        form.message = str(exc.detail)
        theirs: dict[str, str] = {}
        if stored is not None:
            get_session().refresh(stored)
            changed = _changed_since(stored, form.version())
            for name in fields:
                now = _as_text(getattr(stored, name, None))
                typed = str(form.values.get(name) or "").strip()
                if now != typed and (changed is None or name in changed):
                    theirs[name] = now
            form.values["version"] = str(getattr(stored, "version", ""))
        return None, 409, theirs


def _changed_since(stored: SQLModel, seen_version: int | None) -> set[str] | None:
    """Fields changed by the updates after ``seen_version``, from the audit trail.

    Every audited update bumps the version by one, so the last (current - seen) update events
    of the record are the ones the user did not see. None when that cannot be told.
    """
    current = getattr(stored, "version", None)
    if seen_version is None or current is None or current <= seen_version:
        return None
    events = [
        e
        for e in audit.history(get_session(), entity_name(stored), getattr(stored, "id", None))
        if e.action == "update"
    ][: current - seen_version]
    if len(events) != current - seen_version:
        return None
    return {key for e in events for key in e.changes}


def _delete(action: Callable[[], None], form: FormState) -> tuple[bool, int]:
    try:
        action()
    except Conflict as exc:
        form.message = str(exc.detail)
        return False, 409
    return True, 200


def _values(obj: SQLModel) -> dict[str, Any]:
    return {k: "" if v is None else _as_text(v) for k, v in obj.model_dump().items()}


# --- units -----------------------------------------------------------------------------------


@bp.route("/units")
def units() -> str:
    q = request.args.get("q", "").strip()
    listing = queries.unit_tree_page(get_session(), q, *page_args())
    return render_template("org/units.html", page=_page(listing), q=q)


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> str:
    s = get_session()
    detail = queries.unit_detail(s, get_or_404(s, OrgUnit, unit_id))
    return render_template(
        "org/unit.html",
        d=detail,
        link_form=FormState(),
        link_options=_link_options(s, unit_id),
    )


def _link_options(s: Session, unit_id: int) -> list[tuple[int, str]]:
    return queries.unit_options(s, exclude={unit_id})


def _unit_form_options(s: Session, unit_id: int | None) -> dict[str, Any]:
    exclude = queries.subtree_ids(s, unit_id) if unit_id else None
    return {"unit_options": queries.unit_options(s, exclude), "kinds": list(UnitKind)}


UNIT_FIELDS = ("name", "code", "kind", "parent_id", "description")


@bp.route("/units/new", methods=["GET", "POST"])
@permission_required("org.edit")
def new_unit() -> str | Response | tuple[str, int]:
    s = get_session()
    form = FormState(values={"parent_id": request.args.get("parent", ""), "kind": "team"})
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        created, status, theirs = _submit(
            form, OrgUnitIn, lambda data: org_service.create_unit(s, current_actor(), data)
        )
        if created is not None:
            flash(_("Unit %(name)s created.", name=created.name), "success")
            return redirect(url_for(".unit", unit_id=created.id))
    return render_template(
        "org/unit_form.html", form=form, unit=None, theirs=theirs, **_unit_form_options(s, None)
    ), status


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@permission_required("org.edit")
def edit_unit(unit_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    unit_obj = get_or_404(s, OrgUnit, unit_id)
    form = FormState(values=_values(unit_obj))
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        saved, status, theirs = _submit(
            form,
            OrgUnitIn,
            lambda data: org_service.update_unit(s, current_actor(), unit_id, data, form.version()),
            unit_obj,
            UNIT_FIELDS,
        )
        if saved is not None:
            flash(_("Unit %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".unit", unit_id=unit_id))
    return render_template(
        "org/unit_form.html",
        form=form,
        unit=unit_obj,
        theirs=theirs,
        **_unit_form_options(s, unit_id),
    ), status


@bp.route("/units/<int:unit_id>/delete", methods=["GET", "POST"])
@permission_required("org.edit")
def delete_unit(unit_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    unit_obj = get_or_404(s, OrgUnit, unit_id)
    form = FormState(values={"version": str(unit_obj.version)})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        name, parent_id = unit_obj.name, unit_obj.parent_id
        done, status = _delete(
            lambda: org_service.delete_unit(s, current_actor(), unit_id, form.version()), form
        )
        if done:
            flash(_("Unit %(name)s deleted.", name=name), "success")
            if parent_id:
                return redirect(url_for(".unit", unit_id=parent_id))
            return redirect(url_for(".units"))
        s.refresh(unit_obj)
        form.values["version"] = str(unit_obj.version)
    return render_template(
        "org/confirm_delete.html",
        form=form,
        kind=_("unit"),
        name=unit_obj.name,
        back=url_for(".unit", unit_id=unit_id),
        impact=queries.unit_impact(s, unit_id),
    ), status


@bp.route("/units/<int:unit_id>/links", methods=["POST"])
@permission_required("org.edit")
def add_link(unit_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    unit_obj = get_or_404(s, OrgUnit, unit_id)
    form = FormState.from_request(request.form)
    other = form.value("other_unit_id")
    inbound = form.value("direction") == "in"
    form.values["from_unit_id"] = other if inbound else str(unit_id)
    form.values["to_unit_id"] = str(unit_id) if inbound else other
    payload = FormState(
        values={k: form.values.get(k, "") for k in ("from_unit_id", "to_unit_id", "note")}
    )
    created, status, _theirs = _submit(
        payload, OrgLinkIn, lambda data: org_service.add_link(s, current_actor(), data)
    )
    if created is not None:
        flash(_("Dotted line added."), "success")
        return redirect(url_for(".unit", unit_id=unit_id) + "#links")
    # Field names of the schema map back onto the one "other unit" select of the form.
    for key in ("from_unit_id", "to_unit_id"):
        if key in payload.errors:
            form.errors["other_unit_id"] = payload.errors[key]
    for key, message in payload.errors.items():
        if key not in ("from_unit_id", "to_unit_id"):
            form.errors[key] = message
    form.message = payload.message or _("The dotted line was not added.")
    return render_template(
        "org/unit.html",
        d=queries.unit_detail(s, unit_obj),
        link_form=form,
        link_options=_link_options(s, unit_id),
    ), status


@bp.route("/links/<int:link_id>/remove", methods=["POST"])
@permission_required("org.edit")
def remove_link(link_id: int) -> Response:
    s = get_session()
    link = get_or_404(s, OrgLink, link_id)
    back = request.form.get("unit_id", type=int) or link.from_unit_id
    org_service.remove_link(s, current_actor(), link_id)
    flash(_("Dotted line removed."), "success")
    return redirect(url_for(".unit", unit_id=back) + "#links")


# --- org chart -------------------------------------------------------------------------------


def _chart(root: int | None, depth: int, whole: bool = False) -> orgchart.OrgChart:
    """The chart from ``root``; ``whole``: every level down to ``depth``, however many boxes
    (the download), else as many whole levels as the page shows."""
    units_rows, link_rows = queries.chart_data(get_session())
    units_list, links = orgchart.from_rows(units_rows, link_rows)
    text = orgchart.ChartText(
        title=_("Org chart"),
        chart_from_here=_("Chart from here"),
        more=lambda n: ngettext(
            "%(num)s more unit below: open the chart from here",
            "%(num)s more units below: open the chart from here",
            n,
        ),
        kind=label,
        dotted_line=_("Dotted line"),
    )
    try:
        return orgchart.build_chart(
            units_list,
            links,
            root_id=root,
            depth=depth,
            unit_url=lambda i: url_for(".unit", unit_id=i),
            chart_url=lambda i: url_for(".chart", root=i, depth=depth),
            text=text,
            max_boxes=None if whole else orgchart.MAX_BOXES,
        )
    except KeyError:
        abort(404)


def _chart_args() -> tuple[int | None, int]:
    root = int_arg("root")
    depth = request.args.get("depth", CHART_DEFAULT_DEPTH, type=int)
    if depth is None:
        depth = CHART_DEFAULT_DEPTH
    return root, max(1, min(depth, CHART_MAX_DEPTH))


@bp.route("/chart")
def chart() -> str:
    root, depth = _chart_args()
    result = _chart(root, depth)
    s = get_session()
    root_unit = get_or_404(s, OrgUnit, root) if root else None
    trail = queries.ancestors(s, root) if root else []
    return render_template(
        "org/chart.html",
        chart=result,
        svg=Markup(result.svg),  # noqa: S704 - built by orgchart, every text escaped there
        root=root_unit,
        trail=trail,
        depth=depth,
        max_depth=CHART_MAX_DEPTH,
    )


@bp.route("/chart.svg")
def chart_svg() -> Response:
    root, depth = _chart_args()
    result = _chart(root, depth, whole=True)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + result.svg
    return Response(body, mimetype="image/svg+xml")


# --- people ----------------------------------------------------------------------------------


@bp.route("/people")
def people() -> str:
    s = get_session()
    q = request.args.get("q", "").strip()
    unit_id = int_arg("unit")
    include_sub = request.args.get("sub") == "1"
    unit_ids: set[int] | None = None
    if unit_id is not None:
        unit_ids = queries.subtree_ids(s, unit_id) if include_sub else {unit_id}
    listing = queries.people_page(s, q, unit_ids, *page_args())
    return render_template(
        "org/people.html",
        page=_page(listing),
        q=q,
        unit_id=unit_id,
        include_sub=include_sub,
        unit_options=queries.unit_options(s),
    )


@bp.route("/people/<int:person_id>")
def person(person_id: int) -> str:
    s = get_session()
    return render_template(
        "org/person.html", d=queries.person_detail(s, get_or_404(s, Person, person_id))
    )


PERSON_FIELDS = ("name", "email", "phone", "org_unit_id", "user_id")


def _person_form_options(s: Session) -> dict[str, Any]:
    return {"unit_options": queries.unit_options(s), "user_options": queries.user_options(s)}


@bp.route("/people/new", methods=["GET", "POST"])
@permission_required("people.edit")
def new_person() -> str | Response | tuple[str, int]:
    s = get_session()
    form = FormState(values={"org_unit_id": request.args.get("unit", "")})
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        created, status, theirs = _submit(
            form, PersonIn, lambda data: org_service.create_person(s, current_actor(), data)
        )
        if created is not None:
            flash(_("%(name)s added.", name=created.name), "success")
            return redirect(url_for(".person", person_id=created.id))
    return render_template(
        "org/person_form.html", form=form, person=None, theirs=theirs, **_person_form_options(s)
    ), status


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@permission_required("people.edit")
def edit_person(person_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    person_obj = get_or_404(s, Person, person_id)
    form = FormState(values=_values(person_obj))
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        saved, status, theirs = _submit(
            form,
            PersonIn,
            lambda data: org_service.update_person(
                s, current_actor(), person_id, data, form.version()
            ),
            person_obj,
            PERSON_FIELDS,
        )
        if saved is not None:
            flash(_("%(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".person", person_id=person_id))
    return render_template(
        "org/person_form.html",
        form=form,
        person=person_obj,
        theirs=theirs,
        **_person_form_options(s),
    ), status


@bp.route("/people/<int:person_id>/delete", methods=["GET", "POST"])
@permission_required("people.edit")
def delete_person(person_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    person_obj = get_or_404(s, Person, person_id)
    form = FormState(values={"version": str(person_obj.version)})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        name = person_obj.name
        done, status = _delete(
            lambda: org_service.delete_person(s, current_actor(), person_id, form.version()),
            form,
        )
        if done:
            flash(_("%(name)s deleted.", name=name), "success")
            return redirect(url_for(".people"))
        s.refresh(person_obj)
        form.values["version"] = str(person_obj.version)
    return render_template(
        "org/confirm_delete.html",
        form=form,
        kind=_("person"),
        name=person_obj.name,
        back=url_for(".person", person_id=person_id),
        impact=None,
    ), status


@bp.route("/people/import", methods=["GET", "POST"])
@permission_required("people.edit")
def import_people() -> str | Response | tuple[str, int]:
    form = FormState()
    row_errors: list[people_import.RowError] = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        problem = _check_upload(upload)
        if problem:
            form.errors["file"] = problem
            status = 422
        else:
            assert upload is not None
            content = upload.stream.read(CSV_MAX_BYTES + 1)
            if len(content) > CSV_MAX_BYTES:
                form.errors["file"] = _("The file is larger than 2 MB.")
                status = 413
            else:
                try:
                    created = people_import.import_people(get_session(), current_actor(), content)
                except people_import.ImportRejected as exc:
                    # As text in the reader's language, escaped by the template like any text.
                    row_errors = [replace(e, message=str(e.message)) for e in exc.row_errors]
                    form.message = str(exc.detail)
                    status = 422
                else:
                    flash(
                        ngettext(
                            "%(num)s person imported.", "%(num)s people imported.", len(created)
                        ),
                        "success",
                    )
                    return redirect(url_for(".people"))
    return render_template(
        "org/import_people.html", form=form, row_errors=row_errors, max_mb=2
    ), status


def _check_upload(upload: Any) -> str:
    if upload is None or not upload.filename:
        return _("Choose a CSV file to upload.")
    if not upload.filename.lower().endswith(".csv"):
        return _("Only .csv files can be imported.")
    if (upload.mimetype or "") not in CSV_TYPES:
        return _("The file is not a CSV file (it was sent as %(type)s).", type=upload.mimetype)
    return ""


@bp.route("/people/import/example.csv")
@permission_required("people.edit")
def people_csv_example() -> Response:
    body = (
        "name,email,org_unit_code,phone\r\n"
        "Ana Lima,ana.lima@example.com,EAO,+44 20 7946 0000\r\n"
        "王芳,wang.fang@example.com,EAO-SOL,\r\n"
    )
    return Response(
        body.encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=people-example.csv"},
    )


# --- positions -------------------------------------------------------------------------------


@bp.route("/positions")
def positions() -> str:
    s = get_session()
    q = request.args.get("q", "").strip()
    unit_id = int_arg("unit")
    listing = queries.positions_page(s, q, unit_id, *page_args())
    return render_template(
        "org/positions.html",
        page=_page(listing),
        q=q,
        unit_id=unit_id,
        unit_options=queries.unit_options(s),
    )


@bp.route("/positions/<int:position_id>")
def position(position_id: int) -> str:
    s = get_session()
    row = queries.position_row(s, position_id)
    if row is None:
        raise NotFound(_("Position %(id)s not found.", id=position_id))
    return render_template(
        "org/position.html", row=row, reports=queries.direct_reports(s, position_id)
    )


POSITION_FIELDS = (
    "title",
    "org_unit_id",
    "reports_to_id",
    "holder_id",
    "architecture_role",
    "duties",
    "requirements",
    "performance_criteria",
)


def _position_form_options(s: Session, position_id: int | None) -> dict[str, Any]:
    return {
        "unit_options": queries.unit_options(s),
        "position_options": queries.position_options(s, exclude=position_id),
        "person_options": queries.person_options(s),
        "roles": list(ArchitectureRole),
    }


@bp.route("/positions/new", methods=["GET", "POST"])
@permission_required("org.edit")
def new_position() -> str | Response | tuple[str, int]:
    s = get_session()
    form = FormState(values={"org_unit_id": request.args.get("unit", "")})
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        created, status, theirs = _submit(
            form, PositionIn, lambda data: org_service.create_position(s, current_actor(), data)
        )
        if created is not None:
            flash(_("Position %(title)s created.", title=created.title), "success")
            return redirect(url_for(".position", position_id=created.id))
    return render_template(
        "org/position_form.html",
        form=form,
        position=None,
        theirs=theirs,
        **_position_form_options(s, None),
    ), status


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@permission_required("org.edit")
def edit_position(position_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    pos = get_or_404(s, Position, position_id)
    form = FormState(values=_values(pos))
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        saved, status, theirs = _submit(
            form,
            PositionIn,
            lambda data: org_service.update_position(
                s, current_actor(), position_id, data, form.version()
            ),
            pos,
            POSITION_FIELDS,
        )
        if saved is not None:
            flash(_("Position %(title)s saved.", title=saved.title), "success")
            return redirect(url_for(".position", position_id=position_id))
    return render_template(
        "org/position_form.html",
        form=form,
        position=pos,
        theirs=theirs,
        **_position_form_options(s, position_id),
    ), status


@bp.route("/positions/<int:position_id>/delete", methods=["GET", "POST"])
@permission_required("org.edit")
def delete_position(position_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    pos = get_or_404(s, Position, position_id)
    form = FormState(values={"version": str(pos.version)})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        title, unit_id = pos.title, pos.org_unit_id
        done, status = _delete(
            lambda: org_service.delete_position(s, current_actor(), position_id, form.version()),
            form,
        )
        if done:
            flash(_("Position %(title)s deleted.", title=title), "success")
            return redirect(url_for(".positions", unit=unit_id))
        s.refresh(pos)
        form.values["version"] = str(pos.version)
    return render_template(
        "org/confirm_delete.html",
        form=form,
        kind=_("position"),
        name=pos.title,
        back=url_for(".position", position_id=position_id),
        impact=None,
    ), status


# --- boards ----------------------------------------------------------------------------------


@bp.route("/boards")
def boards() -> str:
    listing = queries.boards_page(get_session(), *page_args())
    return render_template("org/boards.html", page=_page(listing))


@bp.route("/boards/<int:board_id>")
def board(board_id: int) -> str:
    s = get_session()
    return render_template(
        "org/board.html",
        d=queries.board_detail(s, get_or_404(s, Board, board_id)),
        today=date.today(),
    )


BOARD_FIELDS = ("name", "level", "parent_board_id", "org_unit_id", "quorum", "description")


def _board_form_options(s: Session, board_id: int | None) -> dict[str, Any]:
    return {
        "levels": list(BoardLevel),
        "board_options": queries.board_options(s, exclude=board_id),
        "unit_options": queries.unit_options(s),
    }


@bp.route("/boards/new", methods=["GET", "POST"])
@permission_required("board.edit")
def new_board() -> str | Response | tuple[str, int]:
    s = get_session()
    form = FormState(values={"level": "local", "quorum": "3"})
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        created, status, theirs = _submit(
            form, BoardIn, lambda data: org_service.create_board(s, current_actor(), data)
        )
        if created is not None:
            flash(_("Board %(name)s created.", name=created.name), "success")
            return redirect(url_for(".board", board_id=created.id))
    return render_template(
        "org/board_form.html", form=form, board=None, theirs=theirs, **_board_form_options(s, None)
    ), status


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
@permission_required("board.edit")
def edit_board(board_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    board_obj = get_or_404(s, Board, board_id)
    form = FormState(values=_values(board_obj))
    status, theirs = 200, dict[str, str]()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        saved, status, theirs = _submit(
            form,
            BoardIn,
            lambda data: org_service.update_board(
                s, current_actor(), board_id, data, form.version()
            ),
            board_obj,
            BOARD_FIELDS,
        )
        if saved is not None:
            flash(_("Board %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".board", board_id=board_id))
    return render_template(
        "org/board_form.html",
        form=form,
        board=board_obj,
        theirs=theirs,
        **_board_form_options(s, board_id),
    ), status


@bp.route("/boards/<int:board_id>/members/new", methods=["GET", "POST"])
@permission_required("board.edit")
def add_member(board_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    board_obj = get_or_404(s, Board, board_id)
    form = FormState(values={"role": "member", "term_start": date.today().isoformat()})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        created, status, _theirs = _submit(
            form,
            BoardMemberIn,
            lambda data: org_service.add_member(s, current_actor(), board_id, data),
        )
        if created is not None:
            flash(_("Member added."), "success")
            return redirect(url_for(".board", board_id=board_id))
    return render_template(
        "org/member_form.html",
        form=form,
        board=board_obj,
        person_options=queries.person_options(s),
        roles=list(BoardRole),
    ), status


@bp.route("/members/<int:member_id>/end", methods=["GET", "POST"])
@permission_required("board.edit")
def end_term(member_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    member = get_or_404(s, BoardMember, member_id)
    board_obj = get_or_404(s, Board, member.board_id)
    person_obj = get_or_404(s, Person, member.person_id)
    form = FormState(values={"term_end": date.today().isoformat()})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        raw = form.value("term_end")
        try:
            end = date.fromisoformat(raw)
        except ValueError:
            form.errors["term_end"] = _("Enter a date (YYYY-MM-DD).")
            status = 422
        else:
            try:
                org_service.end_member_term(s, current_actor(), member_id, end)
            except Invalid as exc:
                form.fail(exc)
                status = 422
            else:
                flash(_("Term of %(name)s ends on %(date)s.", name=person_obj.name, date=raw))
                return redirect(url_for(".board", board_id=board_obj.id))
    return render_template(
        "org/end_term.html", form=form, member=member, board=board_obj, person=person_obj
    ), status


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@permission_required("board.edit")
def remove_member(member_id: int) -> Response:
    s = get_session()
    member = get_or_404(s, BoardMember, member_id)
    board_id = member.board_id
    org_service.remove_member(s, current_actor(), member_id)
    flash(_("Membership removed."), "success")
    return redirect(url_for(".board", board_id=board_id))


# --- org structure templates -----------------------------------------------------------------


def _locale() -> str:
    return "zh_Hans" if str(get_locale()) == "zh_Hans" else "en"


@bp.route("/templates")
@permission_required("org.edit")
def templates() -> str:
    return render_template(
        "org/templates.html", templates=org_templates.list_templates(), locale=_locale()
    )


@bp.route("/templates/<template_id>", methods=["GET", "POST"])
@permission_required("org.edit")
def template(template_id: str) -> str | Response | tuple[str, int]:
    s = get_session()
    tpl = org_templates.get_template(template_id)
    wanted = request.args.get("locale", "")
    form = FormState(values={"locale": wanted if wanted in org_templates.LOCALES else _locale()})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        raw_under = form.value("under_unit_id")
        under = int(raw_under) if str(raw_under).isdigit() else None
        locale = form.value("locale") if form.value("locale") in org_templates.LOCALES else "en"
        try:
            result = org_templates.apply_template(
                s, current_actor(), template_id, under_unit_id=under, locale=locale
            )
        except Invalid as exc:
            form.fail(exc)
            status = 422
        else:
            flash(
                _(
                    "Template applied: %(units)s units and %(positions)s positions created.",
                    units=len(result.unit_ids),
                    positions=len(result.position_ids),
                ),
                "success",
            )
            return redirect(url_for(".unit", unit_id=result.root_ids[0]))
    shown_locale = form.value("locale") if form.value("locale") in org_templates.LOCALES else "en"
    return render_template(
        "org/template.html",
        tpl=tpl,
        tree=org_templates.preview(tpl, shown_locale),
        locale=shown_locale,
        form=form,
        clash=org_templates.existing_codes(s, tpl),
        unit_options=queries.unit_options(s),
        page_locale=_locale(),
    ), status

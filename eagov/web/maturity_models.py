"""Maturity model libraries (pages): the models with their versions, one model's levels and
element x level descriptor grid, importing a version from YAML, exporting one."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..db import get_session
from ..errors import Conflict, Invalid
from ..services import maturity_models as svc
from ..yaml_source import MAX_YAML_BYTES, SourceInvalid

bp = Blueprint("maturity_models", __name__, url_prefix="/maturity/models")

YAML_SUFFIXES = (".yaml", ".yml")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; the services decide who may do what."""
    return None


@bp.route("/", methods=["GET", "POST"])
def list_models() -> str | Response | tuple[str, int]:
    """Every model with its versions; co-ordinators and administrators import new ones."""
    s = get_session()
    actor = current_actor()
    errors: list[Any] = []
    status = 200
    filename = ""
    if request.method == "POST":
        upload = request.files.get("file")
        filename = (upload.filename or "") if upload is not None else ""
        try:
            if upload is None or not upload.filename:
                raise Invalid(errors={"file": _("Choose a YAML file to import.")})
            if not upload.filename.lower().endswith(YAML_SUFFIXES):
                raise Invalid(errors={"file": _("The file must be YAML (.yaml or .yml).")})
            # One byte more than allowed is enough to know the file is too large.
            model = svc.import_model(s, actor, upload.stream.read(MAX_YAML_BYTES + 1))
        except SourceInvalid as exc:
            errors, status = exc.source_errors, 422
        except (Invalid, Conflict) as exc:
            extra = getattr(exc, "errors", {}) or {}
            errors = [str(m) for m in extra.values()] or [str(exc.detail)]
            status = exc.status
        else:
            flash(
                _("Imported %(id)s version %(version)s.", id=model.key, version=model.version),
                "success",
            )
            return redirect(url_for(".model", model_id=model.id))
    return render_template(
        "maturity_models/list.html",
        entries=svc.catalogue(s, actor),
        may_import=actor.can("maturity.manage"),
        errors=errors,
        filename=filename,
    ), status


@bp.route("/<int:model_id>")
def model(model_id: int) -> str:
    """The levels and what each element looks like at each level."""
    s = get_session()
    actor = current_actor()
    item = svc.get_model(s, actor, model_id)
    others = [m for m in svc.list_models(s, actor) if m.key == item.key and m.id != item.id]
    return render_template(
        "maturity_models/model.html",
        model=item,
        elements=svc.elements(s, model_id),
        others=others,
    )


@bp.route("/<int:model_id>/export.yaml")
def export_model(model_id: int) -> Response:
    s = get_session()
    text = svc.export_model(s, current_actor(), model_id)
    item = svc.get_model(s, current_actor(), model_id)
    return send_file(
        BytesIO(text.encode("utf-8")),
        mimetype="application/yaml",
        as_attachment=True,
        download_name=f"{item.key}-{item.version}.yaml",
    )

"""Maturity model libraries: import a versioned YAML file, list, read, export, and make the
shipped models available in a fresh installation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from ..errors import Conflict, NotFound
from ..models import MaturityElement, MaturityModel
from ..permissions import SYSTEM, Actor, require
from ..schemas.maturity_models import FORMAT, ModelFile, Texts, version_key
from ..yaml_source import parse
from . import audit
from .common import commit, flush

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "library" / "maturity"
# The default model first: a fresh installation offers it before the others.
SHIPPED = ("acmm.yaml", "cmmi-staged.yaml")


@dataclass
class ModelEntry:
    """One model key with its imported versions, newest first."""

    key: str
    versions: list[MaturityModel]
    element_counts: dict[int, int] = field(default_factory=dict)

    @property
    def latest(self) -> MaturityModel:
        return self.versions[0]

    @property
    def element_count(self) -> int:
        return self.element_counts.get(self.latest.id or 0, 0)


def import_model(session: Session, actor: Actor, source: str | bytes) -> MaturityModel:
    """Store one version of a model, all of it or nothing. A version already imported is
    refused; a newer version is stored beside the older ones, so assessments keep the
    version they were scored against."""
    require(actor, "maturity.manage")
    data = parse(source, ModelFile)
    exists = session.exec(
        select(MaturityModel.id).where(
            MaturityModel.key == data.key, MaturityModel.version == data.version
        )
    ).first()
    if exists is not None:
        raise Conflict(
            _l(
                "Version %(version)s of maturity model %(key)s is already imported.",
                version=data.version,
                key=data.key,
            )
        )
    model = MaturityModel(
        key=data.key,
        version=data.version,
        name=data.name.model_dump(),
        description=_texts(data.description),
        method=data.method.value,
        levels=[
            {"value": lv.value, "name": lv.name.model_dump(), "summary": lv.summary.model_dump()}
            for lv in data.levels
        ],
        imported_by_id=actor.user_id,
    )
    session.add(model)
    flush(session)
    assert model.id is not None
    for position, element in enumerate(data.elements, start=1):
        session.add(
            MaturityElement(
                model_id=model.id,
                key=element.key,
                position=position,
                name=element.name.model_dump(),
                description=_texts(element.description),
                weight=element.weight,
                descriptors={
                    str(level): texts.model_dump()
                    for level, texts in sorted(element.descriptors.items())
                },
            )
        )
    flush(session)
    audit.record(
        session,
        actor,
        "import",
        "maturity_model",
        model.id,
        {
            "key": data.key,
            "version": data.version,
            "method": data.method.value,
            "levels": len(data.levels),
            "elements": len(data.elements),
        },
    )
    commit(session)
    return model


def list_models(session: Session, actor: Actor) -> list[MaturityModel]:
    """Every imported version: by key, the newest version of each first."""
    require(actor, "maturity.read")
    rows = session.exec(select(MaturityModel)).all()
    return sorted(rows, key=lambda m: (m.key, tuple(-p for p in version_key(m.version))))


def catalogue(session: Session, actor: Actor) -> list[ModelEntry]:
    """The models grouped by key with their element counts (two queries whatever the size)."""
    rows = list_models(session, actor)
    counts = element_counts(session, [m.id for m in rows if m.id is not None])
    by_key: dict[str, list[MaturityModel]] = defaultdict(list)
    for row in rows:
        by_key[row.key].append(row)
    return [ModelEntry(key, versions, counts) for key, versions in by_key.items()]


def element_counts(session: Session, model_ids: list[int]) -> dict[int, int]:
    if not model_ids:
        return {}
    return dict(
        session.exec(
            select(MaturityElement.model_id, func.count(col(MaturityElement.id)))
            .where(col(MaturityElement.model_id).in_(model_ids))
            .group_by(col(MaturityElement.model_id))
        ).all()
    )


def get_model(session: Session, actor: Actor, model_id: int) -> MaturityModel:
    require(actor, "maturity.read")
    model = session.get(MaturityModel, model_id)
    if model is None:
        raise NotFound(_l("There is no maturity model with the id %(id)s.", id=model_id))
    return model


def find_model(
    session: Session, actor: Actor, key: str, version: str | None = None
) -> MaturityModel:
    """A given version of a model, or its newest one."""
    require(actor, "maturity.read")
    candidates = [m for m in list_models(session, actor) if m.key == key]
    if version is not None:
        candidates = [m for m in candidates if m.version == version]
    if not candidates:
        if version is not None:
            raise NotFound(
                _l(
                    "There is no version %(version)s of maturity model %(key)s.",
                    version=version,
                    key=key,
                )
            )
        raise NotFound(_l("There is no maturity model %(key)s.", key=key))
    return candidates[0]


def elements(session: Session, model_id: int) -> list[MaturityElement]:
    """The elements of a model in the model's order."""
    return list(
        session.exec(
            select(MaturityElement)
            .where(MaturityElement.model_id == model_id)
            .order_by(col(MaturityElement.position))
        ).all()
    )


def export_model(session: Session, actor: Actor, model_id: int) -> str:
    """The model as a YAML file in the import format: importing it gives the same model."""
    model = get_model(session, actor, model_id)
    return to_yaml(model, elements(session, model_id))


def to_yaml(model: MaturityModel, rows: list[MaturityElement]) -> str:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "key": model.key,
        "version": model.version,
        "name": _ordered(model.name),
    }
    if model.description:
        doc["description"] = _ordered(model.description)
    doc["method"] = model.method
    doc["levels"] = [
        {
            "value": level["value"],
            "name": _ordered(level["name"]),
            "summary": _ordered(level["summary"]),
        }
        for level in model.levels
    ]
    doc["elements"] = []
    for row in rows:
        element: dict[str, Any] = {"key": row.key, "name": _ordered(row.name)}
        if row.description:
            element["description"] = _ordered(row.description)
        element["weight"] = int(row.weight) if float(row.weight).is_integer() else row.weight
        element["descriptors"] = {
            int(level): _ordered(texts)
            for level, texts in sorted(row.descriptors.items(), key=lambda kv: int(kv[0]))
        }
        doc["elements"].append(element)
    header = f"# Maturity model {model.key}, version {model.version}, exported by eagov.\n"
    return header + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def ensure_shipped_models(session: Session) -> list[MaturityModel]:
    """Import the models shipped in eagov/library/maturity whose version is not in the
    database yet; returns the ones imported. Safe to call on every start or page view: a
    concurrent import of the same version is taken as done."""
    have = set(session.exec(select(MaturityModel.key, MaturityModel.version)).all())
    imported = []
    for name in SHIPPED:
        source = (SHIPPED_DIR / name).read_bytes()
        data = parse(source, ModelFile)
        if (data.key, data.version) in have:
            continue
        try:
            imported.append(import_model(session, SYSTEM, source))
        except Conflict:
            session.rollback()
    return imported


def _texts(texts: Texts | None) -> dict[str, str]:
    return texts.model_dump() if texts is not None else {}


def _ordered(texts: dict[str, str]) -> dict[str, str]:
    """English first, then Chinese, then anything else: the order the format documents."""
    order = {"en": 0, "zh_Hans": 1}
    return dict(sorted(texts.items(), key=lambda kv: order.get(kv[0], 2)))

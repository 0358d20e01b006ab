"""Check a Word contract document that comes back: is it unaltered, and is it signed?

The document names its contract and version in its custom XML part (``urn:eagov:contract:1``).
That part only says *which* version to compare with: the decision compares the text of the
uploaded document with the text of a document freshly built from the database for that
version, so a forged or copied data part does not help. Parts that change while a contract
runs (date of the document, status, deliverable progress, measured values, recorded
signatures) are marked in the document with hidden bookmarks and compared separately: a
difference there is a note, except in the signature block, where only "signed since the
document was made" is accepted.
"""

from __future__ import annotations

import difflib
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from ..contract_types import CAPACITY_LABELS
from ..documents import fingerprint
from ..documents.contract_docx import (
    LAYOUT,
    NAMESPACE,
    SIGNED_STATES,
    VERSION_STATE_LABELS,
    as_utc,
    blank_signature_lines,
    named_signatory_line,
    render_contract,
)
from ..errors import Invalid, NotFound
from ..models import BoardMember, BoardRole, Capacity, Contract, ContractVersion, Person
from ..permissions import Actor, require
from . import contracts

MAX_BYTES = 16 * 1024 * 1024  # the upload
MAX_UNPACKED = 128 * 1024 * 1024  # all parts together, unpacked
MAX_PART = 64 * 1024 * 1024  # one XML part, unpacked
MAX_ENTRIES = 2000
MAX_DIFFERENCES = 5

_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_RT_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
_RT_NOTES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes",
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_NOT_DOCX = _l("This is not a Word document (.docx).")
_DAMAGED = _l("The Word document is damaged or too large to read.")
_NO_DATA = _l(
    "The document holds no eagov contract data: it was not made by eagov, or the data was "
    "removed from it."
)


@dataclass
class DocumentCheck:
    """The outcome of checking one uploaded contract document."""

    reference: str
    version: int
    state: str  # the version's state in eagov now
    signed: bool  # every required signature is recorded for the version
    matches: bool  # the document's text is that of the version (unaltered)
    reasons: list[str]  # why it matches or not
    contract_id: int | None = None
    title: str = ""
    locale: str = "en"
    document_hash: str = ""  # the content hash the document states
    version_hash: str = ""  # the version's content hash in eagov now
    signers: list[str] = field(default_factory=list)
    # Do the recorded signatures bind the hash the document states? None: no signatures.
    signature_hashes_match: bool | None = None
    notes: list[str] = field(default_factory=list)  # differences that are not alterations
    generated_at: str = ""


@dataclass
class _Upload:
    body: Any
    notes_text: list[str]
    data: dict[str, str]


def verify_docx(
    session: Session, actor: Actor, data: bytes, *, now: datetime | None = None
) -> DocumentCheck:
    """Read an uploaded contract document and decide whether it is unaltered."""
    require(actor, "contracts.read")
    upload = _read(data)
    reference = upload.data.get("reference", "")
    try:
        number = int(upload.data.get("version", ""))
    except ValueError:
        raise Invalid(_NO_DATA, errors={"file": _NO_DATA}) from None
    contract, version = _find(session, actor, reference, number)
    locale = upload.data.get("locale", "en")

    fresh = render_contract(session, contract, version, locale=locale, now=now)
    got = fingerprint.extract(upload.body)
    want = fresh.extract
    altered: list[str] = []
    notes: list[str] = []
    current_hash = contracts.version_hash(session, contract, version)
    stated_hash = upload.data.get("contentHash", "")

    # 1. The agreed text, against a fresh build.
    if got.content != want.content:
        stored = upload.data.get("contentText", "")
        if stored and stored == got.fingerprint:
            if upload.data.get("layout", LAYOUT) != LAYOUT:
                altered.append(
                    _(
                        "The document was made by an earlier version of eagov with a different "
                        "layout; its text cannot be compared word for word."
                    )
                )
            elif version.state not in contracts.FROZEN:
                altered.append(
                    _(
                        "The draft has changed since this document was made: its text is no "
                        "longer that of version %(version)s.",
                        version=version.number,
                    )
                )
            else:
                altered.append(
                    _(
                        "The text differs from version %(version)s as recorded in eagov, and "
                        "the document's data part was changed to match the altered text.",
                        version=version.number,
                    )
                )
        else:
            altered.append(
                _(
                    "The text of the document was changed after eagov made it: it differs "
                    "from version %(version)s as recorded.",
                    version=version.number,
                )
            )
        altered.extend(_differences(want.content, got.content))
    if upload.notes_text:
        altered.append(_("The document has footnotes or endnotes that eagov did not write."))

    # 2. The content hash the document states.
    if stated_hash != current_hash:
        altered.append(
            _(
                "The document states the content hash %(stated)s; version %(version)s has "
                "%(actual)s.",
                stated=_short(stated_hash) or "-",
                version=version.number,
                actual=_short(current_hash),
            )
        )

    # 3. The marked parts: present where they belong, signatures as recorded.
    missing = sorted(set(want.volatile) - set(got.volatile))
    extra = sorted(set(got.volatile) - set(want.volatile))
    if missing or extra:
        altered.append(
            _(
                "Parts that eagov fills in were removed or added: %(parts)s.",
                parts=", ".join(missing + extra),
            )
        )
    slots = {s.capacity: s for s in contracts.signatories(session, contract, version)}
    for capacity, key in fresh.signature_keys.items():
        if key not in got.volatile or got.volatile[key] == want.volatile.get(key):
            continue
        label = str(CAPACITY_LABELS.get(capacity, capacity))
        slot = slots.get(capacity)
        blank_form = _unsigned_form(
            session, contract, capacity, slot, got.volatile[key], fresh.locale
        )
        if blank_form and slot is not None and slot.signature is not None:
            notes.append(
                _(
                    "%(capacity)s: signed by %(name)s on %(time)s (UTC), after this document "
                    "was made.",
                    capacity=label,
                    name=slot.signature.signer_name,
                    time=_utc_text(slot.signature.signed_at),
                )
            )
        elif blank_form:
            notes.append(
                _(
                    "%(capacity)s: the person named to sign has changed since this document "
                    "was made.",
                    capacity=label,
                )
            )
        else:
            altered.append(
                _(
                    "The signature block of the %(capacity)s differs from the signatures "
                    "recorded in eagov.",
                    capacity=label,
                )
            )
    for key in sorted(set(got.volatile) & set(want.volatile)):
        if key == "date" or key.startswith("sig_"):
            continue
        if got.volatile[key] != want.volatile[key]:
            notes.append(
                _(
                    "%(part)s: “%(shown)s” in the document, “%(now)s” in eagov now.",
                    part=_part_name(key),
                    shown=got.part(key),
                    now=want.part(key),
                )
            )

    # 4. Signatures recorded for the version, and the hash they bind.
    recorded = contracts.signatures_of(session, version.id)  # type: ignore[arg-type]
    signers = [
        _(
            "%(name)s (%(capacity)s), %(time)s UTC",
            name=s.signer_name,
            capacity=str(CAPACITY_LABELS.get(s.capacity, s.capacity)),
            time=_utc_text(s.signed_at),
        )
        for s in recorded
    ]
    hashes_match = all(s.version_hash == stated_hash for s in recorded) if recorded else None
    if hashes_match is False:
        altered.append(_("The content hash in the document is not the hash the signatures bind."))

    matches = not altered
    state_label = str(VERSION_STATE_LABELS.get(version.state, version.state))
    if matches:
        reasons = [
            _(
                "The text matches version %(version)s of %(reference)s as recorded in eagov "
                "(content hash %(hash)s).",
                version=version.number,
                reference=contract.reference,
                hash=_short(current_hash),
            )
        ]
    else:
        reasons = altered
    if version.state in SIGNED_STATES:
        reasons.append(_("The version is signed by every required signatory."))
    else:
        reasons.append(
            _("The version is not signed (status: %(state)s).", state=state_label),
        )
    return DocumentCheck(
        reference=contract.reference,
        version=version.number,
        state=version.state,
        signed=version.state in SIGNED_STATES,
        matches=matches,
        reasons=reasons,
        contract_id=contract.id,
        title=version.title,
        locale=fresh.locale,
        document_hash=stated_hash,
        version_hash=current_hash,
        signers=signers,
        signature_hashes_match=hashes_match,
        notes=notes,
        generated_at=upload.data.get("generatedAt", ""),
    )


def _unsigned_form(
    session: Session,
    contract: Contract,
    capacity: str,
    slot: Any,
    shown: list[str],
    locale: str,
) -> bool:
    """Does a slot show the lines of a slot not signed yet, naming a person who could sign?

    The person named is the one of the version, except for the board chair, who may have
    changed since the document was made: any person who chaired the board will do.
    """
    names: set[str | None] = {slot.person.name if slot is not None and slot.person else None}
    if capacity == Capacity.BOARD_CHAIR:
        names |= set(
            session.exec(
                select(Person.name)
                .join(BoardMember, col(BoardMember.person_id) == Person.id)
                .where(
                    BoardMember.board_id == contract.board_id, BoardMember.role == BoardRole.CHAIR
                )
            ).all()
        )
    with force_locale(locale):
        blank = [fingerprint.normalise(line) for line in blank_signature_lines()]
        named = {fingerprint.normalise(named_signatory_line(n)) for n in names}
    return len(shown) == len(blank) + 1 and shown[0] in named and shown[1:] == blank


# --- reading the upload --------------------------------------------------------------------------


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _read(data: bytes) -> _Upload:
    from lxml import etree

    if len(data) > MAX_BYTES:
        too_big = _l(
            "The file is larger than %(size)s MB; a contract document is far smaller.",
            size=MAX_BYTES // (1024 * 1024),
        )
        raise Invalid(too_big, errors={"file": too_big})
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise Invalid(_NOT_DOCX, errors={"file": _NOT_DOCX})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise Invalid(_DAMAGED, errors={"file": _DAMAGED})
            names = {i.filename: i for i in infos}

            def part(name: str) -> Any:
                info = names.get(name)
                if info is None or info.file_size > MAX_PART:
                    raise KeyError(name)
                return etree.fromstring(zf.read(info), _parser())

            main = _main_part(part, names)
            if main is None:
                raise Invalid(_NOT_DOCX, errors={"file": _NOT_DOCX})
            document = part(main)
            body = document.find(f"{{{_W}}}body")
            if body is None:
                raise Invalid(_DAMAGED, errors={"file": _DAMAGED})
            rels = _relationships(part, names, main)
            data_part = _contract_part(part, names, rels)
            notes_text: list[str] = []
            for target in rels.get(_RT_NOTES[0], []) + rels.get(_RT_NOTES[1], []):
                notes_root = part(target)
                for note in list(notes_root):
                    if note.get(f"{{{_W}}}type") in ("separator", "continuationSeparator"):
                        continue
                    notes_text.extend(fingerprint.extract(note).content)
    except Invalid:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error, OSError):
        raise Invalid(_DAMAGED, errors={"file": _DAMAGED}) from None
    except NotImplementedError:  # an unsupported compression method
        raise Invalid(_DAMAGED, errors={"file": _DAMAGED}) from None
    except etree.XMLSyntaxError:
        raise Invalid(_DAMAGED, errors={"file": _DAMAGED}) from None
    if data_part is None:
        raise Invalid(_NO_DATA, errors={"file": _NO_DATA})
    return _Upload(body=body, notes_text=notes_text, data=data_part)


def _main_part(part: Any, names: dict[str, Any]) -> str | None:
    """The main document part: from the package relationships, checked in the content types."""
    types = part("[Content_Types].xml")
    overrides = {
        o.get("PartName", "").lstrip("/"): o.get("ContentType")
        for o in types.iter(f"{{{_CT_NS}}}Override")
    }
    rels = part("_rels/.rels")
    for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("Type") == _RT_OFFICE and rel.get("TargetMode") != "External":
            target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
            if overrides.get(target) == _MAIN and target in names:
                return target
    return None


def _relationships(part: Any, names: dict[str, Any], source: str) -> dict[str, list[str]]:
    """Relationship type -> internal targets (zip names) of one part."""
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    out: dict[str, list[str]] = {}
    if rels_name not in names:
        return out
    for rel in part(rels_name).iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        if name in names:
            out.setdefault(rel.get("Type", ""), []).append(name)
    return out


_ITEM = re.compile(r"^customXml/item\d+\.xml$")


def _contract_part(
    part: Any, names: dict[str, Any], rels: dict[str, list[str]]
) -> dict[str, str] | None:
    """The eagov contract data: from the part the main document relates, else any item."""
    candidates = rels.get(_RT_CUSTOM_XML, []) + sorted(n for n in names if _ITEM.match(n))
    for name in dict.fromkeys(candidates):
        try:
            root = part(name)
        except Exception:  # noqa: S112 - another program's data part that we cannot read
            continue
        if root.tag == f"{{{NAMESPACE}}}contract":
            return {
                child.tag.split("}", 1)[-1]: (child.text or "").strip()
                for child in root
                if isinstance(child.tag, str)
            }
    return None


def _find(
    session: Session, actor: Actor, reference: str, number: int
) -> tuple[Contract, ContractVersion]:
    """The contract and version the document names, if the actor may see them."""
    unknown = _l(
        "Contract %(reference)s, version %(version)s: there is no such contract that you can see.",
        reference=reference,
        version=number,
    )
    found = session.exec(select(Contract.id).where(Contract.reference == reference)).first()
    if found is None:
        raise Invalid(unknown, errors={"file": unknown})
    try:
        contract = contracts.get_contract(session, actor, found)
        version = contracts.get_version(session, contract, number)
    except NotFound:
        raise Invalid(unknown, errors={"file": unknown}) from None
    return contract, version


# --- wording ------------------------------------------------------------------------------------


def _short(value: str) -> str:
    return value[:16] + "\u2026" if len(value) > 16 else value


def _utc_text(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M")


def _part_name(key: str) -> str:
    if key == "state":
        return _("Status of the version")
    kind, _sep, number = key.rpartition("_")
    if kind == "status":
        return _("Status of deliverable %(number)s", number=number)
    if kind == "measured":
        return _("Measured value of metric %(number)s", number=number)
    return key


def _line(text: str) -> str:
    if text == fingerprint.ROW:
        return _("[table row]")
    if text == fingerprint.CELL:
        return _("[table cell]")
    return text if len(text) <= 80 else text[:79] + "\u2026"


def _differences(want: list[str], got: list[str]) -> list[str]:
    """The first differences between the recorded text and the document's, for people."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        was = " / ".join(
            _line(t) for t in want[a1:a2] if t not in (fingerprint.ROW, fingerprint.CELL)
        )
        now = " / ".join(
            _line(t) for t in got[b1:b2] if t not in (fingerprint.ROW, fingerprint.CELL)
        )
        if op == "replace" and was and now:
            out.append(_("Changed: “%(was)s” reads “%(now)s”.", was=_clip(was), now=_clip(now)))
        elif was:
            out.append(_("Removed: “%(was)s”.", was=_clip(was)))
        elif now:
            out.append(_("Added: “%(now)s”.", now=_clip(now)))
        else:
            out.append(_("The layout of a table was changed."))
        if len(out) >= MAX_DIFFERENCES:
            out.append(_("There are more differences."))
            break
    return out


def _clip(text: str) -> str:
    return text if len(text) <= 160 else text[:159] + "\u2026"

"""The Word contract document of one contract version.

Layout: a cover page (title, type, reference, version, status, parties, sponsor, board,
time window, date), a table of contents (a TOC field Word fills in on open), the type's
sections in order, then deliverables, metrics, conformance requirements, principles,
standards, risks, the changes of an amendment, and the signature block with the content
hash on the last page. Header: reference and version, and a DRAFT mark (header text and a
watermark) until the version is signed. Footer: "Page X of Y" from PAGE and NUMPAGES fields.

Content comes from ``contracts.canonical_content``: the frozen snapshot of an approved or
signed version, live data for a draft. Execution state (deliverable status, measured values)
and recorded signatures are shown as they are now, inside hidden ``_eagov_*`` bookmarks so
that verification can tell them from the agreed text (see ``fingerprint``). A custom XML part
(``urn:eagov:contract:1``) names the contract, version, content hash and text fingerprint.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from .. import richtext
from ..contract_types import CAPACITY_LABELS, PHASE_LABELS, spec
from ..models import (
    Capacity,
    Contract,
    ContractVersion,
    DeliverableStatus,
    User,
    VersionState,
    utcnow,
)
from . import fingerprint, ooxml, style
from .ooxml import Cell, Para, Run, Table

if TYPE_CHECKING:
    from docx.document import Document

    from ..models import Signature

NAMESPACE = "urn:eagov:contract:1"
LAYOUT = "1"  # bump when the document's text layout changes (old copies then differ)
BLANK = "_" * 40

DELIVERABLE_STATUS_LABELS: dict[str, Any] = {
    DeliverableStatus.PLANNED: _l("Planned"),
    DeliverableStatus.IN_PROGRESS: _l("In progress"),
    DeliverableStatus.SUBMITTED: _l("Submitted"),
    DeliverableStatus.ACCEPTED: _l("Accepted"),
    DeliverableStatus.REJECTED: _l("Rejected"),
    DeliverableStatus.WAIVED: _l("Waived"),
}
VERSION_STATE_LABELS: dict[str, Any] = {
    VersionState.DRAFT: _l("Draft"),
    VersionState.IN_REVIEW: _l("In review"),
    VersionState.APPROVED: _l("Approved, awaiting signatures"),
    VersionState.SIGNED: _l("Signed"),
    VersionState.SUPERSEDED: _l("Superseded by a later version"),
}
LEVEL_LABELS: dict[str, Any] = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}

SIGNED_STATES = (VersionState.SIGNED, VersionState.SUPERSEDED)


@dataclass
class Rendered:
    """A built document before it is saved, with what verification needs."""

    document: Document
    extract: fingerprint.Extract
    content_hash: str
    locale: str
    title: str = ""
    # Signature slots: capacity -> the key of the slot's marked lines; recorded signatures.
    signature_keys: dict[str, str] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)


def build_contract_docx(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> bytes:
    """The .docx of ``version`` of ``contract``, in ``locale`` (en or zh_Hans)."""
    rendered = render_contract(session, contract, version, locale=locale, now=now)
    ooxml.add_custom_xml_part(
        rendered.document,
        custom_xml(contract, version, rendered),
        schema_uri=NAMESPACE,
        item_key=f"{NAMESPACE}:{contract.reference}:{version.number}",
    )
    out = io.BytesIO()
    rendered.document.save(out)
    return out.getvalue()


def render_contract(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> Rendered:
    """Build the document in memory (verification builds a fresh copy this way)."""
    from ..services import contracts as contract_service

    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    content = contract_service.canonical_content(session, contract, version)
    content_hash = version.content_hash or contract_service.hash_content(content)
    assert version.id is not None
    status = {d.lineage: d.status for d in contract_service.deliverables_of(session, version.id)}
    measured = {
        m.lineage: m.measured_value for m in contract_service.metrics_of(session, version.id)
    }
    slots = contract_service.signatories(session, contract, version)
    creator = session.get(User, contract.created_by_id) if contract.created_by_id else None
    with force_locale(locale):
        builder = _Builder(style.new_document(locale), locale)
        keys = builder.compose(
            contract, version, content, content_hash, status, measured, slots, now
        )
        builder.header_footer(contract, version)
        builder.core_properties(contract, version, content, content_hash, creator, now)
        builder.flush()
    document = builder.doc
    return Rendered(
        document=document,
        extract=fingerprint.extract(document.element.body),
        content_hash=content_hash,
        locale=locale,
        title=content.get("title") or version.title,
        signature_keys=keys,
        signatures=[slot.signature for slot in slots if slot.signature is not None],
        generated_at=now,
    )


def custom_xml(
    contract: Contract,
    version: ContractVersion,
    rendered: Rendered,
) -> bytes:
    """The contract's data part: what the document is and what its text hashes to."""
    from lxml import etree

    def el(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
        node = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}", attrs)
        if text is not None:
            node.text = ooxml.clean(text)
        return node

    root = etree.Element(f"{{{NAMESPACE}}}contract", nsmap={"eagov": NAMESPACE})
    el(root, "reference", contract.reference)
    el(root, "version", str(version.number))
    el(root, "type", contract.type)
    el(root, "title", rendered.title)
    el(root, "state", version.state)
    el(root, "locale", rendered.locale)
    el(root, "layout", LAYOUT)
    el(root, "generatedAt", as_utc(rendered.generated_at).strftime("%Y-%m-%dT%H:%M:%SZ"))
    el(root, "contentHash", rendered.content_hash, algorithm="sha256")
    el(
        root,
        "contentText",
        rendered.extract.fingerprint,
        algorithm=fingerprint.ALGORITHM,
        lines=str(len(rendered.extract.content)),
    )
    sigs = el(root, "signatures")
    for sig in rendered.signatures:
        el(
            sigs,
            "signature",
            capacity=sig.capacity,
            signer=ooxml.clean(sig.signer_name),
            signedAt=as_utc(sig.signed_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
            versionHash=sig.version_hash,
        )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- texts shared with verification -------------------------------------------------------------


def signature_lines(person_name: str | None, signature: Signature | None) -> list[str]:
    """The lines of one signature slot (call inside ``force_locale``)."""
    if signature is not None:
        return [
            _("Signed electronically in eagov by %(name)s", name=signature.signer_name),
            _("Time (UTC): %(time)s", time=as_utc(signature.signed_at).strftime("%Y-%m-%d %H:%M")),
            _("Version hash: %(hash)s", hash=signature.version_hash),
        ]
    return [named_signatory_line(person_name), *blank_signature_lines()]


def named_signatory_line(person_name: str | None) -> str:
    """Who is to sign in a slot not signed yet (call inside ``force_locale``)."""
    return _("Named signatory: %(name)s", name=person_name or _("not named yet"))


def blank_signature_lines() -> list[str]:
    """The lines for a wet signature (call inside ``force_locale``)."""
    return [
        _("Signature:") + "\t" + BLANK,
        _("Name:") + "\t" + BLANK,
        _("Date:") + "\t" + BLANK,
    ]


def signature_key(capacity: str) -> str:
    return f"sig_{capacity}"


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _long_date(value: date | str, locale: str) -> str:
    from babel.dates import format_date

    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=style.DATE_LOCALES.get(locale, "en_GB"))


# Text that Markdown could read as anything but one plain paragraph.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>!#&|~=+\-]|^\d{1,9}[.)]|\n|^\s|\s$")


def blocks(text: str) -> list[richtext.Block]:
    """``richtext.blocks``, without parsing text that has no Markdown in it (most table
    cells: one parse per cell would be a third of the time of a long deliverables table)."""
    if text and not _MARKDOWN.search(text):
        return [richtext.Block("paragraph", [richtext.Run(text)])]
    return richtext.blocks(text)


# --- the builder --------------------------------------------------------------------------------


class _Builder:
    """Collects the body as XML fragments (parsed once at the end) and fills in the parts."""

    def __init__(self, doc: Document, locale: str) -> None:
        self.doc = doc
        self.locale = locale
        self.parts: list[str] = []
        self.bookmark_id = 0
        self.draft = True

    # -- small writers

    def add(self, para: Para) -> None:
        self.parts.append(ooxml.para_xml(para, style.MONO_FONT))

    def text(self, text: str, para_style: str | None = None, **kw: Any) -> None:
        self.add(Para([Run(text)], style=para_style, **kw))

    def note(self, text: str) -> None:
        self.text(text, style.NOTE)

    def heading(self, text: str, level: int = 1) -> None:
        self.text(text, style.HEADING_1 if level == 1 else style.HEADING_2)

    def mark(self, key: str) -> tuple[int, str]:
        """A new hidden bookmark for a volatile part."""
        self.bookmark_id += 1
        return (self.bookmark_id, fingerprint.PREFIX + key)

    def table(self, table: Table) -> None:
        self.parts.append(ooxml.table_xml(table, style.MONO_FONT))

    def flush(self) -> None:
        ooxml.append_body_xml(self.doc, self.parts)
        self.parts = []

    def new_number_list(self) -> int:
        numbering = self.doc.part.numbering_part.element
        num = numbering.add_num(style.DECIMAL_ABSTRACT)
        for level in range(3):
            num.add_lvlOverride(ilvl=level).add_startOverride(1)
        return int(num.numId)

    def rich(self, text: str, prefix: str | None = None) -> None:
        """Markdown as paragraphs: headings (numbered under ``prefix``), lists, quotes."""
        sub = 0
        number_list: int | None = None
        for block in richtext.blocks(text):
            runs = [Run(r.text, r.bold, r.italic, r.code) for r in block.runs]
            if block.kind not in ("bullet", "number"):
                number_list = None
            if block.kind == "heading":
                sub += 1
                label = f"{prefix}.{sub} " if prefix else ""
                self.add(Para([Run(label), *runs], style=style.HEADING_2))
            elif block.kind == "bullet":
                self.add(Para(runs, style=style.LIST, num=(style.BULLET_NUM, min(block.level, 2))))
            elif block.kind == "number":
                if number_list is None:
                    number_list = self.new_number_list()
                self.add(Para(runs, style=style.LIST, num=(number_list, min(block.level, 2))))
            elif block.kind == "quote":
                self.add(Para(runs, style=style.QUOTE))
            else:
                self.add(Para(runs))

    @staticmethod
    def cell_paras(text: str, cell_style: str = style.TABLE_TEXT) -> list[Para]:
        """Markdown in a table cell: plain paragraphs, list items with a visible marker."""
        out: list[Para] = []
        counter = 0
        for block in blocks(text):
            runs = [Run(r.text, r.bold, r.italic, r.code) for r in block.runs]
            if block.kind == "bullet":
                runs.insert(0, Run("\u2022 "))
            elif block.kind == "number":
                counter += 1
                runs.insert(0, Run(f"{counter}. "))
            else:
                counter = 0
            if block.kind == "heading":
                runs = [Run(r.text, True, r.italic, r.code) for r in runs]
            out.append(Para(runs, style=cell_style))
        return out

    # -- the document

    def compose(
        self,
        contract: Contract,
        version: ContractVersion,
        content: dict[str, Any],
        content_hash: str,
        status: dict[str, str],
        measured: dict[str, str | None],
        slots: list[Any],
        now: datetime,
    ) -> dict[str, str]:
        type_spec = spec(contract.type)
        self.draft = version.state not in SIGNED_STATES
        self.cover(contract, version, content, type_spec, now)

        # Contents
        self.text(_("Contents"), style.TOC_HEADING)
        self.parts.append(
            ooxml.toc_xml(_("Right-click to update the table of contents"), style="TOC1")
        )
        self.parts.append(ooxml.page_break_xml())

        # The sections of the type, in its order (then any the snapshot has beyond them).
        texts = {s["key"]: s.get("text", "") for s in content.get("sections", [])}
        chapters: list[tuple[Any, str]] = [
            (s.title, texts.pop(s.key, "")) for s in type_spec.sections
        ]
        chapters += [(key.replace("_", " ").capitalize(), text) for key, text in texts.items()]
        number = 0
        for title, text in chapters:
            number += 1
            self.heading(f"{number}. {title}")
            if text.strip():
                self.rich(text, prefix=str(number))
            else:
                self.note(_("Not filled in yet."))

        number += 1
        self.deliverables(number, content.get("deliverables", []), status)
        number += 1
        self.metrics(number, content.get("metrics", []), measured)
        number += 1
        self.heading(f"{number}. " + _("Conformance requirements"))
        if content.get("conformance_requirements", "").strip():
            self.rich(content["conformance_requirements"], prefix=str(number))
        else:
            self.note(_("None stated."))
        for items, title in (
            (content.get("principles", []), _("Architecture principles")),
            (content.get("standards", []), _("Standards")),
        ):
            number += 1
            self.heading(f"{number}. {title}")
            if not items:
                self.note(_("None stated."))
            for item in items:
                self.add(Para([Run(item)], style=style.LIST, num=(style.BULLET_NUM, 0)))
        number += 1
        self.risks(number, content.get("risks", []))
        if content.get("change_summary", "").strip():
            number += 1
            self.heading(f"{number}. " + _("Changes in this version"))
            for line in content["change_summary"].splitlines():
                if line.strip():
                    self.text(line)
        number += 1
        return self.signatures(number, contract, version, content_hash, slots)

    def cover(
        self,
        contract: Contract,
        version: ContractVersion,
        content: dict[str, Any],
        type_spec: Any,
        now: datetime,
    ) -> None:
        self.text(_("Architecture contract"), style.COVER_KICKER)
        self.text(content.get("title") or version.title, style.TITLE)
        self.text(str(type_spec.title), style.SUBTITLE)

        def name(key: str) -> str | None:
            ref = content.get(key)
            return ref.get("name") if ref else None

        window = content.get("window") or {}
        rows: list[tuple[str, str, str | None]] = [
            (_("Reference"), content.get("reference", contract.reference), None),
            (_("Version"), str(content.get("version", version.number)), None),
            (_("Status"), str(VERSION_STATE_LABELS.get(version.state, version.state)), "state"),
            (_("Architecture unit"), name("architecture_unit") or "", None),
        ]
        if name("counterparty_unit"):
            rows.append((_("Counterparty unit"), name("counterparty_unit") or "", None))
        if content.get("partner_name"):
            rows.append((_("Partner"), content["partner_name"], None))
        rows.append((str(CAPACITY_LABELS[Capacity.SPONSOR]), name("sponsor") or "", None))
        if name("lead_architect"):
            rows.append(
                (str(CAPACITY_LABELS[Capacity.LEAD_ARCHITECT]), name("lead_architect") or "", None)
            )
        if name("representative"):
            rows.append((self.representative_label(type_spec), name("representative") or "", None))
        rows.append((_("Governing board"), (content.get("board") or {}).get("name", ""), None))
        if window:
            rows.append(
                (
                    _("Time window"),
                    _(
                        "%(start)s to %(end)s",
                        start=_long_date(window["start"], self.locale),
                        end=_long_date(window["end"], self.locale),
                    ),
                    None,
                )
            )
        rows.append(
            (_("Date of this document"), _long_date(as_utc(now).date(), self.locale), "date")
        )
        table = Table(widths=(2800, style.TEXT_WIDTH - 2800), borders=False, cant_split=True)
        for label, value, key in rows:
            value_para = Para([Run(value)], style=style.COVER_VALUE)
            if key:
                value_para.bookmark = self.mark(key)
            table.rows.append(
                [Cell([Para([Run(label)], style=style.COVER_LABEL)]), Cell([value_para])]
            )
        self.table(table)
        self.parts.append(ooxml.page_break_xml())

    @staticmethod
    def representative_label(type_spec: Any) -> str:
        for capacity in (Capacity.PARTNER_REPRESENTATIVE, Capacity.BUSINESS_REPRESENTATIVE):
            if capacity in type_spec.signatories:
                return str(CAPACITY_LABELS[capacity])
        return _("Representative of the other party")

    def deliverables(
        self, number: int, items: list[dict[str, Any]], status: dict[str, str]
    ) -> None:
        self.heading(f"{number}. " + _("Deliverables"))
        if not items:
            self.note(_("No deliverables yet."))
            return
        self.note(
            _(
                "The status column shows progress on the date of this document; it is not "
                "part of the agreed content."
            )
        )
        phases = {code: str(label) for code, label in PHASE_LABELS.items()}
        statuses = {code: str(label) for code, label in DELIVERABLE_STATUS_LABELS.items()}
        table = Table(
            widths=(1600, 2150, 1350, 1250, 1722, 1000),
            header=[
                _("Phase"),
                _("Deliverable"),
                _("Owner"),
                _("Due"),
                _("Acceptance criteria"),
                _("Status"),
            ],
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for i, item in enumerate(items, start=1):
            owner = (item.get("owner") or {}).get("name") or "\u2014"
            code = status.get(item.get("lineage", ""), "")
            title = [Para([Run(item.get("title", ""), bold=True)])]
            if item.get("kind"):
                title.append(Para([Run(item["kind"], italic=True, color=style.MUTED)]))
            table.rows.append(
                [
                    Cell([Para([Run(phases.get(item.get("phase", ""), item.get("phase", "")))])]),
                    Cell(title),
                    Cell([Para([Run(owner)])]),
                    Cell([Para([Run(item.get("due", ""))])]),
                    Cell(self.cell_paras(item.get("acceptance_criteria", ""))),
                    Cell(
                        [
                            Para(
                                [Run(statuses.get(code, code) or "\u2014")],
                                bookmark=self.mark(f"status_{i}"),
                            )
                        ]
                    ),
                ]
            )
        self.table(table)

    def metrics(
        self, number: int, items: list[dict[str, Any]], measured: dict[str, str | None]
    ) -> None:
        self.heading(f"{number}. " + _("Metrics"))
        if not items:
            self.note(_("No metrics agreed."))
            return
        self.note(_("Measured values are as recorded on the date of this document."))
        table = Table(
            widths=(3872, 1800, 1400, 2000),
            header=[_("Metric"), _("Target"), pgettext("metric", "Unit"), _("Measured value")],
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for i, item in enumerate(items, start=1):
            value = measured.get(item.get("lineage", "")) or "\u2014"
            table.rows.append(
                [
                    Cell([Para([Run(item.get("name", ""))])]),
                    Cell([Para([Run(item.get("target", ""))])]),
                    Cell([Para([Run(item.get("unit", "") or "\u2014")])]),
                    Cell([Para([Run(value)], bookmark=self.mark(f"measured_{i}"))]),
                ]
            )
        self.table(table)

    def risks(self, number: int, items: list[dict[str, Any]]) -> None:
        self.heading(f"{number}. " + _("Risks"))
        if not items:
            self.note(_("No risks recorded."))
            return
        levels = {code: str(label) for code, label in LEVEL_LABELS.items()}
        table = Table(
            widths=(3572, 1250, 1250, 3000),
            header=[_("Risk"), _("Likelihood"), _("Impact"), _("Mitigation")],
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for item in items:
            table.rows.append(
                [
                    Cell([Para([Run(item.get("description", ""))])]),
                    Cell([Para([Run(levels.get(item.get("likelihood", ""), ""))])]),
                    Cell([Para([Run(levels.get(item.get("impact", ""), ""))])]),
                    Cell([Para([Run(item.get("mitigation", "") or "\u2014")])]),
                ]
            )
        self.table(table)

    def signatures(
        self,
        number: int,
        contract: Contract,
        version: ContractVersion,
        content_hash: str,
        slots: list[Any],
    ) -> dict[str, str]:
        self.heading(f"{number}. " + _("Signatures"))
        self.text(
            _(
                "By signing, the parties agree to version %(version)s of contract "
                "%(reference)s as set out above. Each signature binds the content hash "
                "printed below.",
                version=version.number,
                reference=contract.reference,
            )
        )
        keys: dict[str, str] = {}
        for slot in slots:
            self.text(str(CAPACITY_LABELS.get(slot.capacity, slot.capacity)), style.SIGNATORY)
            key = signature_key(slot.capacity)
            keys[slot.capacity] = key
            lines = signature_lines(slot.person.name if slot.person else None, slot.signature)
            last = len(lines) - 1
            for j, line in enumerate(lines):
                is_hash = slot.signature is not None and j == last
                self.add(
                    Para(
                        [Run(line)],
                        style=style.HASH if is_hash else style.SIGNATURE_LINE,
                        keep_next=j < last,
                        bookmark=self.mark(f"{key}__{j + 1}"),
                    )
                )

        self.text(_("Content hash (SHA-256)"), style.SIGNATORY)
        self.text(content_hash, style.HASH, keep_next=True)  # with the note: last page
        self.note(
            _(
                "Contract %(reference)s, version %(version)s. The content hash identifies the "
                "agreed text of this version; signatures recorded in eagov bind it. To check "
                "that a copy of this document is unaltered, upload it in eagov (Contracts, "
                "Check a document).",
                reference=contract.reference,
                version=version.number,
            )
        )
        return keys

    # -- header, footer, properties

    def header_footer(self, contract: Contract, version: ContractVersion) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        section = self.doc.sections[0]
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        head.add_run(
            _(
                "%(reference)s \u00b7 version %(version)s",
                reference=contract.reference,
                version=version.number,
            )
        )
        if self.draft:
            head.add_run("\t\t")
            mark = head.add_run(_("DRAFT"))
            mark.bold = True
            mark.font.size = Pt(20)
            mark.font.color.rgb = RGBColor.from_string(style.DRAFT)
            font = style.EAST_ASIAN_FONT if self.locale == "zh_Hans" else style.LATIN_FONT
            ooxml.add_watermark(head, _("DRAFT"), font)

        foot = section.footer.paragraphs[0]
        foot.style = self.doc.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece, instr in _split_placeholders(_("Page %(page)s of %(pages)s")):
            if piece:
                foot.add_run(piece)
            if instr:
                ooxml.add_field(foot, instr, "1")

    def core_properties(
        self,
        contract: Contract,
        version: ContractVersion,
        content: dict[str, Any],
        content_hash: str,
        creator: User | None,
        now: datetime,
    ) -> None:
        core = self.doc.core_properties
        core.title = ooxml.clean(content.get("title") or version.title)
        core.subject = str(spec(contract.type).title)
        core.author = ooxml.clean(creator.name) if creator and creator.name else "eagov"
        core.last_modified_by = "eagov"
        core.keywords = contract.reference
        core.category = _("Architecture contract")
        core.revision = version.number
        core.version = str(version.number)
        core.identifier = f"{contract.reference}/v{version.number}"
        core.content_status = str(VERSION_STATE_LABELS.get(version.state, version.state))
        core.comments = _("Content hash (SHA-256): %(hash)s", hash=content_hash)
        core.language = style.LANGUAGES[self.locale]
        moment = as_utc(now).replace(tzinfo=None, microsecond=0)
        core.created = core.modified = moment


_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def _split_placeholders(text: str) -> Iterator[tuple[str, str | None]]:
    """ "Page %(page)s of %(pages)s" -> ("Page ", PAGE), (" of ", NUMPAGES), ("", None)."""
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        yield text[pos : match.start()], "PAGE" if match.group(1) == "page" else "NUMPAGES"
        pos = match.end()
    yield text[pos:], None

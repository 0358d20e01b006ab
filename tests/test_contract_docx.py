"""The Word contract document: read back with python-docx and docx2python, for every type.

Checked: cover, numbered section headings in the type's order with their rich text, the
deliverables table (every row, header row repeated and shaded), metrics, conformance,
principles, standards, risks, the signature block (recorded signatures or wet-signature
lines), the DRAFT mark, core properties, TOC and page fields, update-fields setting, the
content hash on the last page and in the custom XML part, Chinese text and fonts, frozen
content from the snapshot, and a LibreOffice conversion to PDF.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from contract_factory import activate, make_cast, make_contract
from docx import Document
from docx2python import docx2python
from flask_babel import force_locale, gettext
from lxml import etree
from sqlmodel import select

from eagov.contract_types import CAPACITY_LABELS, PHASE_LABELS, spec
from eagov.documents import fingerprint
from eagov.documents.contract_docx import build_contract_docx
from eagov.models import Deliverable
from eagov.schemas.contracts import DeliverableIn
from eagov.services import contracts, deliverables

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "eagov": "urn:eagov:contract:1"}
TYPES = ["soaw", "design_development", "business_stakeholders"]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

RICH = (
    "Opening with **bold words** and *italic words*.\n\n"
    "## Approach\n\n"
    "- first point\n- second point\n  - nested point\n\n"
    "1. step one\n2. step two\n\n"
    "Between the lists.\n\n"
    "1. again one\n2. again two\n"
)


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def build(session, contract, number=None, locale="en") -> bytes:
    version = contracts.get_version(session, contract, number)
    return build_contract_docx(session, contract, version, locale=locale, now=NOW)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def part_names(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return set(zf.namelist())


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def table_with_header(doc, first: str):
    found = [t for t in doc.tables if t.rows[0].cells[0].text == first]
    assert found, f"no table whose header starts with {first!r}"
    return found[0]


def rows_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def flatten(nested) -> list[str]:
    if isinstance(nested, str):
        return [nested]
    return [text for item in nested for text in flatten(item)]


def long_date(value) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


# --- every type ---------------------------------------------------------------------------------


@pytest.mark.parametrize("contract_type", TYPES)
def test_document_holds_every_part_of_the_contract(session, cast, ctx, contract_type):
    contract = make_contract(session, cast, contract_type, deliverables_count=3)
    version = contracts.get_version(session, contract)
    content = contracts.canonical_content(session, contract, version)
    data = build(session, contract)
    doc = Document(io.BytesIO(data))
    type_spec = spec(contract_type)

    # Cover.
    cover = rows_of(doc.tables[0])
    values = dict((label, value) for label, value in cover)
    assert doc.paragraphs[0].text == "Architecture contract"
    assert doc.paragraphs[1].text == "Customer data platform"
    assert doc.paragraphs[1].style.name == "Title"
    assert doc.paragraphs[2].text == str(type_spec.title)
    assert values["Reference"] == contract.reference
    assert values["Version"] == "1"
    assert values["Status"] == "Draft"
    assert values["Architecture unit"] == "EA Office"
    assert values["Architecture Sponsor"] == "Sponsor Person"
    assert values["Lead architect"] == "Lead Person"
    assert values["Governing board"] == "Board"
    assert values["Time window"] == (
        f"{long_date(content['window']['start'])} to {long_date(content['window']['end'])}"
    )
    assert values["Date of this document"] == "2 March 2026"
    if contract_type == "design_development":
        assert values["Partner"] == "Acme Integrators"
        assert values["Partner representative"] == "Partner Person"
    if contract_type == "business_stakeholders":
        assert values["Counterparty unit"] == "Retail"
        assert values["Business representative"] == "Partner Person"

    # Numbered headings: the type's sections in order, then the fixed chapters.
    n = len(type_spec.sections)
    fixed = [
        "Deliverables",
        "Metrics",
        "Conformance requirements",
        "Architecture principles",
        "Standards",
        "Risks",
        "Signatures",
    ]
    assert headings(doc, 1) == [
        f"{i}. {s.title}" for i, s in enumerate(type_spec.sections, start=1)
    ] + [f"{n + i}. {title}" for i, title in enumerate(fixed, start=1)]

    # Section texts, with the bold run from the Markdown.
    paragraphs = {p.text: p for p in doc.paragraphs}
    for section in type_spec.sections:
        para = paragraphs[f"Text of {section.key}."]
        assert [r.text for r in para.runs if r.bold] == [section.key]

    # Deliverables: one row per deliverable, header repeated on each page and shaded.
    table = table_with_header(doc, "Phase")
    rows = rows_of(table)
    assert rows[0] == ["Phase", "Deliverable", "Owner", "Due", "Acceptance criteria", "Status"]
    assert len(rows) == 1 + 3
    for i, row in enumerate(rows[1:]):
        due = (date.today() + timedelta(days=30 + i)).isoformat()
        assert row == [
            str(PHASE_LABELS["a_vision"]),
            f"Deliverable {i + 1}\nArchitecture Vision",
            "Lead Person",
            due,
            "Reviewed by the board.",
            "Planned",
        ]
    header_tr = table.rows[0]._tr
    assert header_tr.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
    for tc in header_tr.iter(f"{{{W}}}tc"):
        assert tc.find(f"{{{W}}}tcPr/{{{W}}}shd").get(f"{{{W}}}fill") == "D9E2F3"
    for tr in table.rows[1:]:
        assert tr._tr.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is None

    # Metrics, conformance, principles, standards, risks.
    assert rows_of(table_with_header(doc, "Metric")) == [
        ["Metric", "Target", "Unit", "Measured value"],
        ["Systems on the target platform", "80", "%", "\u2014"],
    ]
    conformance = paragraphs["Conform to the integration standard."]
    assert [r.text for r in conformance.runs if r.bold] == ["integration standard"]
    assert paragraphs["Data is an asset"].style.name == "List Paragraph"
    assert paragraphs["ISO 27001"].style.name == "List Paragraph"
    assert rows_of(table_with_header(doc, "Risk")) == [
        ["Risk", "Likelihood", "Impact", "Mitigation"],
        ["Vendor lock-in", "Medium", "High", "\u2014"],
    ]

    # A second reader sees the same text.
    with docx2python(io.BytesIO(data)) as read:
        text = read.text
    for section in type_spec.sections:
        assert f"Text of {section.key}." in text
    for i in range(3):
        assert f"Deliverable {i + 1}" in text
    assert contract.reference in "".join(flatten(read.header))


def test_rich_text_becomes_word_formatting(session, cast, ctx):
    sections = {s.key: f"Text of {s.key}." for s in spec("soaw").sections}
    sections["request_background"] = RICH
    contract = make_contract(session, cast, sections=sections)
    doc = Document(io.BytesIO(build(session, contract)))
    paragraphs = {p.text: p for p in doc.paragraphs}

    opening = paragraphs["Opening with bold words and italic words."]
    assert [r.text for r in opening.runs if r.bold] == ["bold words"]
    assert [r.text for r in opening.runs if r.italic] == ["italic words"]
    # A heading inside a section is a numbered Heading 2 (the TOC lists it).
    assert paragraphs["1.1 Approach"].style.name == "Heading 2"

    def num(text: str) -> tuple[str, str]:
        num_pr = paragraphs[text]._p.find(f"{{{W}}}pPr/{{{W}}}numPr")
        return (
            num_pr.find(f"{{{W}}}numId").get(f"{{{W}}}val"),
            num_pr.find(f"{{{W}}}ilvl").get(f"{{{W}}}val"),
        )

    bullets = num("first point")
    assert num("second point") == bullets
    assert num("nested point") == (bullets[0], "1")
    first_list, second_list = num("step one"), num("again one")
    assert num("step two") == first_list
    assert first_list[0] != second_list[0] != bullets[0]  # the second list restarts at 1
    numbering = doc.part.numbering_part.element
    for num_id in (first_list[0], second_list[0]):
        start = numbering.xpath(
            f'w:num[@w:numId="{num_id}"]/w:lvlOverride[@w:ilvl="0"]/w:startOverride/@w:val'
        )
        assert start == ["1"]
    assert "Between the lists." in paragraphs


def test_table_of_contents_page_fields_and_header(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    body = part(data, "word/document.xml")
    instructions = " ".join(t.text for t in body.iter(f"{{{W}}}instrText"))
    assert 'TOC \\o "1-3" \\h \\z \\u' in instructions
    assert body.xpath('//w:fldChar[@w:fldCharType="begin"]/@w:dirty', namespaces=NS) == ["true"]
    all_text = "".join(t.text or "" for t in body.iter(f"{{{W}}}t"))
    assert "Right-click to update the table of contents" in all_text
    settings = part(data, "word/settings.xml")
    assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]

    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    footer = section.footer.paragraphs[0]._p
    footer_instr = [t.text.strip() for t in footer.iter(f"{{{W}}}instrText")]
    assert footer_instr == ["PAGE", "NUMPAGES"]
    assert footer.xpath("string(.)").startswith("Page ")
    assert f"{contract.reference} \u00b7 version 1" in section.header.paragraphs[0].text
    # A4 portrait.
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)


def test_draft_has_a_draft_mark_and_blank_signature_lines(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    doc = Document(io.BytesIO(data))
    header = doc.sections[0].header
    assert "DRAFT" in header.paragraphs[0].text
    watermark = header._element.xpath(".//*[local-name()='textpath']/@string")
    assert watermark == ["DRAFT"]

    lines = texts(doc)
    start = lines.index("Architecture Sponsor", lines.index("15. Signatures"))
    assert lines[start + 1 : start + 5] == [
        "Named signatory: Sponsor Person",
        "Signature:\t" + "_" * 40,
        "Name:\t" + "_" * 40,
        "Date:\t" + "_" * 40,
    ]
    chair = lines.index("Chair of the Architecture Board", start)
    assert lines[chair + 1] == "Named signatory: Chair Person"
    assert "Signed electronically" not in "\n".join(lines)


@pytest.mark.parametrize("contract_type", TYPES)
def test_signed_version_shows_recorded_signatures_and_no_draft_mark(
    session, cast, ctx, contract_type
):
    contract = activate(session, cast, make_contract(session, cast, contract_type))
    version = contracts.get_version(session, contract)
    data = build(session, contract)
    doc = Document(io.BytesIO(data))

    header = doc.sections[0].header
    assert "DRAFT" not in header.paragraphs[0].text
    assert not header._element.xpath(".//*[local-name()='textpath']")
    values = dict(rows_of(doc.tables[0]))
    assert values["Status"] == "Signed"

    lines = texts(doc)
    signed = contracts.signatures_of(session, version.id)
    assert {s.capacity for s in signed} == set(spec(contract_type).signatories)
    for sig in signed:
        start = lines.index(str(CAPACITY_LABELS[sig.capacity]), lines.index(headings(doc, 1)[-1]))
        moment = (
            sig.signed_at.replace(tzinfo=UTC) if sig.signed_at.tzinfo is None else sig.signed_at
        )
        assert lines[start + 1 : start + 4] == [
            f"Signed electronically in eagov by {sig.signer_name}",
            f"Time (UTC): {moment.astimezone(UTC):%Y-%m-%d %H:%M}",
            f"Version hash: {version.content_hash}",
        ]
        assert sig.version_hash == version.content_hash
    assert "Signature:\t" not in "\n".join(lines)

    # The content hash is on the last page (the end of the document) and in the data part.
    tail = lines[-3:]
    assert tail[0] == "Content hash (SHA-256)"
    assert tail[1] == version.content_hash
    item = part(data, "customXml/item1.xml")
    assert item.findtext("eagov:contentHash", namespaces=NS) == version.content_hash
    recorded = item.findall("eagov:signatures/eagov:signature", namespaces=NS)
    assert {s.get("capacity") for s in recorded} == set(spec(contract_type).signatories)
    assert {s.get("versionHash") for s in recorded} == {version.content_hash}


def test_core_properties(session, cast, ctx):
    contract = make_contract(session, cast)
    version = contracts.get_version(session, contract)
    doc = Document(io.BytesIO(build(session, contract)))
    core = doc.core_properties
    assert core.title == "Customer data platform"
    assert core.subject == "Statement of Architecture Work"
    assert core.author == "Coordinator Person"  # the contract's creator
    assert core.last_modified_by == "eagov"
    assert core.revision == 1
    assert core.keywords == contract.reference
    assert core.category == "Architecture contract"
    assert contracts.version_hash(session, contract, version) in core.comments
    assert core.created == NOW


def test_custom_xml_part_names_the_version_and_its_text(session, cast, ctx):
    contract = make_contract(session, cast)
    version = contracts.get_version(session, contract)
    data = build(session, contract)
    names = part_names(data)
    assert {"customXml/item1.xml", "customXml/itemProps1.xml"} <= names
    assert "docProps/thumbnail.jpeg" not in names  # the template's blank preview is gone

    rels = part(data, "word/_rels/document.xml.rels")
    targets = [r.get("Target") for r in rels if r.get("Type").endswith("/relationships/customXml")]
    assert targets == ["../customXml/item1.xml"]
    props = part(data, "customXml/itemProps1.xml")
    assert props.xpath("//*[local-name()='schemaRef']/@*[local-name()='uri']") == [
        "urn:eagov:contract:1"
    ]
    types = part(data, "[Content_Types].xml")
    assert any(
        o.get("PartName") == "/customXml/itemProps1.xml"
        and o.get("ContentType").endswith("customXmlProperties+xml")
        for o in types
    )

    item = part(data, "customXml/item1.xml")
    assert item.tag == "{urn:eagov:contract:1}contract"
    assert item.findtext("eagov:reference", namespaces=NS) == contract.reference
    assert item.findtext("eagov:version", namespaces=NS) == "1"
    assert item.findtext("eagov:state", namespaces=NS) == "draft"
    assert item.findtext("eagov:locale", namespaces=NS) == "en"
    assert item.findtext("eagov:contentHash", namespaces=NS) == contracts.version_hash(
        session, contract, version
    )
    # The stored fingerprint is that of the saved text, read back from the file.
    body = part(data, "word/document.xml")
    assert (
        item.findtext("eagov:contentText", namespaces=NS) == fingerprint.extract(body).fingerprint
    )
    # The same version builds the same text (the date of the document aside).
    again = build_contract_docx(session, contract, version, now=NOW + timedelta(days=3))
    assert fingerprint.extract(part(again, "word/document.xml")).content == (
        fingerprint.extract(body).content
    )


def test_approved_version_is_built_from_its_snapshot(session, cast, ctx):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    version = contracts.get_version(session, contract)
    # Rows changed behind the services' back do not reach the document of a frozen version.
    version.title = "Changed title"
    version.sections = {**version.sections, "approvals": "Changed approvals."}
    item = session.exec(select(Deliverable).where(Deliverable.version_id == version.id)).first()
    item.title = "Changed deliverable"
    session.add_all([version, item])
    session.commit()

    doc = Document(io.BytesIO(build(session, contract)))
    all_text = "\n".join(texts(doc)) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert doc.paragraphs[1].text == "Customer data platform"
    assert "Text of approvals." in all_text
    assert "Changed" not in all_text
    assert "DRAFT" in doc.sections[0].header.paragraphs[0].text  # approved, not yet signed
    assert dict(rows_of(doc.tables[0]))["Status"] == "Approved, awaiting signatures"


def test_empty_draft_and_awkward_text(session, cast, ctx):
    contract = make_contract(
        session,
        cast,
        deliverables_count=0,
        sections={},
        title="R&D <platform> \u201cphase\u201d 2",
        principles=[],
        standards=[],
        risks=[],
        conformance_requirements="",
    )
    doc = Document(io.BytesIO(build(session, contract)))
    lines = texts(doc)
    assert doc.paragraphs[1].text == "R&D <platform> \u201cphase\u201d 2"
    assert lines.count("Not filled in yet.") == len(spec("soaw").sections)
    assert "No deliverables yet." in lines
    assert "No risks recorded." in lines
    assert lines.count("None stated.") == 3  # conformance, principles, standards


def test_amendment_lists_its_changes(session, cast, ctx):
    from eagov.schemas.contracts import AmendIn

    contract = activate(session, cast, make_contract(session, cast))
    contracts.amend(
        session, cast.actor("coordinator"), contract.id, AmendIn(change_summary="Adds phase B.")
    )
    doc = Document(io.BytesIO(build(session, contract, 2)))
    assert headings(doc, 1)[-2:] == ["15. Changes in this version", "16. Signatures"]
    assert "Adds phase B." in texts(doc)
    assert dict(rows_of(doc.tables[0]))["Version"] == "2"


@pytest.mark.parametrize(
    "text",
    [
        "Reviewed by the board.",
        "Accepted by the board in 2026, item 7 of 12: done.",
        "1. one",
        "2026) budget",
        "- a",
        "a *b*",
        "a\nb",
        "  indented",
        "trailing  ",
        "<b>x</b>",
        "Tom & Jerry",
        "# title",
        "",
        "交付物验收",
    ],
)
def test_plain_text_shortcut_reads_like_markdown(text):
    from eagov import richtext
    from eagov.documents.contract_docx import blocks

    assert blocks(text) == richtext.blocks(text)


def test_table_helpers_for_python_docx_tables():
    from eagov.documents import ooxml

    doc = Document()
    table = doc.add_table(rows=2, cols=2)
    cell = table.rows[0].cells[0]
    cell.vertical_alignment = 1  # a vAlign element that must stay after the shading
    ooxml.shade_cell(cell, "D9E2F3")
    ooxml.shade_cell(cell, "FFFFFF")  # replaces, does not add
    ooxml.repeat_header(table.rows[0])
    ooxml.repeat_header(table.rows[0])
    tc_pr = [el.tag.split("}")[1] for el in cell._tc.tcPr]
    assert tc_pr == ["tcW", "shd", "vAlign"]
    assert cell._tc.tcPr.find(f"{{{W}}}shd").get(f"{{{W}}}fill") == "FFFFFF"
    assert len(table.rows[0]._tr.trPr.findall(f"{{{W}}}tblHeader")) == 1


# --- many deliverables ---------------------------------------------------------------------------


def many(session, cast, count: int = 100):
    contract = make_contract(session, cast, deliverables_count=0)
    for i in range(count):
        deliverables.add_deliverable(
            session,
            cast.actor("coordinator"),
            contract.id,
            DeliverableIn(
                title=f"Work package {i + 1:03d}",
                phase="b_business",
                kind="Architecture Definition Document",
                owner_id=cast.person["lead"],
                due_date=date(2026, 6, 1) + timedelta(days=i),
                acceptance_criteria="Accepted by the board:\n\n- complete\n- reviewed",
            ),
        )
    return contract


def test_hundred_deliverables_fill_a_long_table(session, cast, ctx):
    contract = many(session, cast)
    doc = Document(io.BytesIO(build(session, contract)))
    rows = rows_of(table_with_header(doc, "Phase"))
    assert len(rows) == 101
    assert [r[1].split("\n")[0] for r in rows[1:]] == [
        f"Work package {i:03d}" for i in range(1, 101)
    ]
    assert rows[100][4] == "Accepted by the board:\n\u2022 complete\n\u2022 reviewed"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_libreoffice_renders_the_document_as_pdf(session, cast, ctx, tmp_path, locale):
    soffice = _soffice()
    if soffice is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        )
    contract = many(session, cast)
    source = tmp_path / f"contract-{locale}.docx"
    source.write_bytes(build(session, contract, locale=locale))
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / f"contract-{locale}.pdf"
    assert pdf.exists(), f"no PDF: {result.returncode} {result.stdout} {result.stderr}"
    assert pdf.read_bytes().startswith(b"%PDF")
    # Cover, contents, sections, a table of 100 rows, signatures: several pages.
    assert _page_count(pdf) > 3


# --- Chinese -------------------------------------------------------------------------------------


@pytest.mark.parametrize("contract_type", TYPES)
def test_chinese_document(session, cast, app, contract_type):
    with app.app_context():
        contract = make_contract(session, cast, contract_type)
        data = build(session, contract, locale="zh_Hans")
        with force_locale("zh_Hans"):
            expected = {
                "deliverables": gettext("Deliverables"),
                "signatures": gettext("Signatures"),
                "type": str(spec(contract_type).title),
                "sponsor": str(CAPACITY_LABELS["sponsor"]),
                "sections": [str(s.title) for s in spec(contract_type).sections],
                "date": "2026年3月2日",
            }
    doc = Document(io.BytesIO(data))
    with docx2python(io.BytesIO(data)) as read:
        text = read.text
    assert "交付物" in text  # a section title of every type names the deliverables
    assert "架构赞助者" in text  # the sponsor's capacity on the cover and in the signatures
    assert doc.paragraphs[2].text == expected["type"]
    n = len(expected["sections"])
    assert headings(doc, 1)[:n] == [
        f"{i}. {title}" for i, title in enumerate(expected["sections"], start=1)
    ]
    assert f"{n + 1}. {expected['deliverables']}" in headings(doc, 1)
    assert headings(doc, 1)[-1] == f"{len(headings(doc, 1))}. {expected['signatures']}"
    assert expected["date"] in dict(rows_of(doc.tables[0])).values()

    styles = part(data, "word/styles.xml")
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(f"{{{W}}}eastAsia") == "Noto Sans CJK SC"
    assert fonts.get(f"{{{W}}}asciiTheme") is None
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    for style_id in ("Normal", "Heading1", "Heading2", "Title"):
        style_fonts = styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr/w:rFonts", NS)
        assert style_fonts.get(f"{{{W}}}eastAsia") == "Noto Sans CJK SC", style_id
    font_table = part(data, "word/fontTable.xml")
    noto = font_table.find("w:font[@w:name='Noto Sans CJK SC']", NS)
    assert noto.find("w:altName", NS).get(f"{{{W}}}val") == "Microsoft YaHei"
    assert Document(io.BytesIO(data)).core_properties.language == "zh-CN"

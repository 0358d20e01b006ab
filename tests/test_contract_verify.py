"""Verifying an uploaded contract document: unaltered copies match; edits to a section, a
deliverable row or a signature are found even when the data part is left alone; a data part
copied from another version does not help; progress and signatures made after the document
are notes; anything that is not a readable eagov document is refused."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest
from contract_factory import PASSWORD, activate, make_cast, make_contract
from docx import Document
from lxml import etree

from eagov.documents import fingerprint
from eagov.documents.contract_docx import build_contract_docx
from eagov.errors import Invalid
from eagov.schemas.contracts import AmendIn, DeliverableProgress, SignIn, VersionContent
from eagov.services import contracts, deliverables
from eagov.services.contract_documents import MAX_BYTES, verify_docx

TYPES = ["soaw", "design_development", "business_stakeholders"]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


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


def edit(data: bytes, change) -> bytes:
    """Open with python-docx, let ``change(doc)`` edit it, save (as Word would)."""
    doc = Document(io.BytesIO(data))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, parts.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def read_part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def paragraph(doc, text: str):
    found = [p for p in doc.paragraphs if p.text == text]
    assert found, f"no paragraph {text!r}"
    return found[0]


def set_text(par, text: str) -> None:
    """Change a paragraph's text the way a person typing would: keep the first run."""
    runs = par.runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


# --- unaltered documents -------------------------------------------------------------------------


@pytest.mark.parametrize("contract_type", TYPES)
def test_unaltered_signed_document_matches(session, cast, ctx, contract_type):
    contract = activate(session, cast, make_contract(session, cast, contract_type))
    version = contracts.get_version(session, contract)
    check = verify_docx(session, cast.actor("viewer"), build(session, contract))
    assert check.matches, check.reasons
    assert (check.reference, check.version, check.state) == (contract.reference, 1, "signed")
    assert check.signed
    assert check.document_hash == check.version_hash == version.content_hash
    assert check.signature_hashes_match is True
    names = {s.signer_name for s in contracts.signatures_of(session, version.id)}
    assert len(check.signers) == len(names)
    assert all(any(name in line for line in check.signers) for name in names)
    assert "matches version 1" in check.reasons[0]
    assert check.notes == []


def test_chinese_document_matches(session, cast, ctx):
    contract = make_contract(session, cast)
    check = verify_docx(session, cast.actor("viewer"), build(session, contract, locale="zh_Hans"))
    assert check.matches, check.reasons
    assert check.locale == "zh_Hans"
    assert not check.signed and check.signature_hashes_match is None


def test_draft_matches_until_the_draft_changes(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    assert verify_docx(session, cast.actor("coordinator"), data).matches

    version = contracts.get_version(session, contract)
    fields = {k: getattr(version, k) for k in VersionContent.model_fields}
    fields["sections"] = {**version.sections, "approvals": "Approved by the new board."}
    contracts.update_draft(
        session, cast.actor("coordinator"), contract.id, VersionContent(**fields), version.version
    )
    check = verify_docx(session, cast.actor("coordinator"), data)
    assert not check.matches
    assert "draft has changed" in check.reasons[0]
    assert any("Approved by the new board." in r for r in check.reasons)
    assert check.document_hash != check.version_hash


def test_progress_after_the_document_is_a_note_not_an_alteration(session, cast, ctx):
    contract = activate(session, cast, make_contract(session, cast))
    data = build(session, contract)
    version = contracts.get_version(session, contract)
    first = contracts.deliverables_of(session, version.id)[0]
    deliverables.progress(
        session, cast.actor("lead"), first.id, DeliverableProgress(status="in_progress"), None
    )
    check = verify_docx(session, cast.actor("viewer"), data)
    assert check.matches, check.reasons
    assert check.notes == [
        "Status of deliverable 1: “Planned” in the document, “In progress” in eagov now."
    ]


def test_signatures_after_the_document_are_notes(session, cast, ctx):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    data = build(session, contract)  # approved, blank signature lines
    for capacity, who in (("sponsor", "sponsor"), ("board_chair", "chair")):
        contracts.sign(
            session, cast.actor(who), contract.id, SignIn(capacity=capacity, password=PASSWORD)
        )
    check = verify_docx(session, cast.actor("viewer"), data)
    assert check.matches, check.reasons
    assert check.signed and check.signature_hashes_match is True
    assert any(n.startswith("Architecture Sponsor: signed by Sponsor Person") for n in check.notes)
    assert any(n.startswith("Status of the version:") for n in check.notes)


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)
def test_document_saved_again_by_libreoffice_still_matches(session, cast, ctx, tmp_path):
    contract = activate(session, cast, make_contract(session, cast, "design_development"))
    source = tmp_path / "in" / "contract.docx"
    source.parent.mkdir()
    source.write_bytes(build(session, contract))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    check = verify_docx(session, cast.actor("viewer"), (tmp_path / "contract.docx").read_bytes())
    assert check.matches, check.reasons


# --- altered documents ---------------------------------------------------------------------------


def test_edited_section_text_is_found(session, cast, ctx):
    contract = activate(session, cast, make_contract(session, cast))
    data = build(session, contract)
    altered = edit(
        data,
        lambda doc: set_text(
            paragraph(doc, "Text of change_of_scope."), "No change of scope is allowed."
        ),
    )
    # The data part is untouched.
    assert read_part(altered, "customXml/item1.xml") == read_part(data, "customXml/item1.xml")
    check = verify_docx(session, cast.actor("viewer"), altered)
    assert not check.matches
    assert check.signed  # the version is signed; this copy of it is not what was signed
    assert "changed after eagov made it" in check.reasons[0]
    assert (
        "Changed: “Text of change_of_scope.” reads “No change of scope is allowed.”."
        in check.reasons
    )


def test_edited_deliverable_row_is_found(session, cast, ctx):
    contract = activate(session, cast, make_contract(session, cast))
    data = build(session, contract)

    def change(doc) -> None:
        table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Phase")
        set_text(table.rows[2].cells[3].paragraphs[0], "2099-12-31")

    check = verify_docx(session, cast.actor("viewer"), edit(data, change))
    assert not check.matches
    assert any("reads “2099-12-31”" in r for r in check.reasons)


def test_edited_signature_name_is_found(session, cast, ctx):
    contract = activate(session, cast, make_contract(session, cast))
    data = build(session, contract)
    line = "Signed electronically in eagov by Sponsor Person"
    altered = edit(
        data, lambda doc: set_text(paragraph(doc, line), line.replace("Sponsor", "Other"))
    )
    check = verify_docx(session, cast.actor("viewer"), altered)
    assert not check.matches
    assert check.reasons[0] == (
        "The signature block of the Architecture Sponsor differs from the signatures recorded "
        "in eagov."
    )


def test_signature_typed_into_a_draft_is_found(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    altered = edit(
        data,
        lambda doc: set_text(
            paragraph(doc, "Named signatory: Sponsor Person"),
            "Signed electronically in eagov by Sponsor Person",
        ),
    )
    check = verify_docx(session, cast.actor("viewer"), altered)
    assert not check.matches and not check.signed


def test_hidden_text_is_a_change(session, cast, ctx):
    contract = make_contract(session, cast)

    def hide(doc) -> None:
        paragraph(doc, "Text of approvals.").runs[0].font.hidden = True

    check = verify_docx(session, cast.actor("viewer"), edit(build(session, contract), hide))
    assert not check.matches


def test_data_part_copied_from_another_version_is_caught(session, cast, ctx):
    contract = activate(session, cast, make_contract(session, cast))
    contracts.amend(
        session,
        cast.actor("coordinator"),
        contract.id,
        AmendIn(change_summary="Adds a second board review."),
    )
    signed = build(session, contract, 1)
    amendment = build(session, contract, 2)
    stolen = read_part(signed, "customXml/item1.xml")
    forged = replace_parts(amendment, {"customXml/item1.xml": stolen})
    check = verify_docx(session, cast.actor("viewer"), forged)
    assert (check.reference, check.version) == (contract.reference, 1)
    assert not check.matches
    assert check.signed  # version 1 is signed, but this is not its text

    # Also with the text fingerprint of the forged document written into the stolen part.
    body = etree.fromstring(read_part(amendment, "word/document.xml"))
    item = etree.fromstring(stolen)
    item.find("{urn:eagov:contract:1}contentText").text = fingerprint.extract(body).fingerprint
    forged = replace_parts(amendment, {"customXml/item1.xml": etree.tostring(item)})
    check = verify_docx(session, cast.actor("viewer"), forged)
    assert not check.matches
    assert "data part was changed" in check.reasons[0]


# --- refused uploads ----------------------------------------------------------------------------


def test_garbage_and_foreign_files_are_invalid(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    plain = io.BytesIO()
    Document().save(plain)
    foreign_zip = io.BytesIO()
    with zipfile.ZipFile(foreign_zip, "w") as zf:
        zf.writestr("hello.txt", "hello")
    uploads = {
        "text": b"this is not a document",
        "empty": b"",
        "pdf": b"%PDF-1.7\n...",
        "zip": foreign_zip.getvalue(),
        "truncated": data[: len(data) // 2],
        "not made by eagov": plain.getvalue(),
        "data part removed": replace_parts(data, {"customXml/item1.xml": b"<other/>"}),
        "broken xml": replace_parts(data, {"word/document.xml": b"<w:document"}),
        "too large": b"PK" + b"\0" * (MAX_BYTES + 1),
    }
    for name, upload in uploads.items():
        with pytest.raises(Invalid) as exc:
            verify_docx(session, cast.actor("viewer"), upload)
        assert "file" in exc.value.errors, name


def test_contract_the_actor_cannot_see_is_like_an_unknown_one(session, cast, ctx):
    contract = make_contract(session, cast)
    data = build(session, contract)
    with pytest.raises(Invalid) as hidden:
        verify_docx(session, cast.actor("outsider"), data)  # a contributor with no part in it
    item = etree.fromstring(read_part(data, "customXml/item1.xml"))
    item.find("{urn:eagov:contract:1}reference").text = "AC-1999-0001"
    with pytest.raises(Invalid) as unknown:
        verify_docx(
            session,
            cast.actor("viewer"),
            replace_parts(data, {"customXml/item1.xml": etree.tostring(item)}),
        )
    assert "there is no such contract that you can see" in str(hidden.value.errors["file"])
    assert "there is no such contract that you can see" in str(unknown.value.errors["file"])

    item.find("{urn:eagov:contract:1}reference").text = contract.reference
    item.find("{urn:eagov:contract:1}version").text = "7"
    with pytest.raises(Invalid):
        verify_docx(
            session,
            cast.actor("viewer"),
            replace_parts(data, {"customXml/item1.xml": etree.tostring(item)}),
        )

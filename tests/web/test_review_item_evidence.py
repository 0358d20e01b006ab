"""Evidence files for checklist answers: checked by content, downloadable by readers."""

from __future__ import annotations

import io

from conftest import csrf_from, login
from contract_factory import PASSWORD, make_cast
from test_reviews_service import BASELINE, to_state

from eagov.permissions import SYSTEM
from eagov.services import checklists, reviews


def test_upload_and_download_evidence_of_an_answer(client, session):
    cast = make_cast(session)
    library = checklists.import_library(session, SYSTEM, BASELINE.read_bytes())
    review = to_state(session, cast, library, "interviewing")
    item = reviews.items_of(session, review.id)[0]
    login(client, cast.lead.email, PASSWORD)
    page = client.get(f"/reviews/{review.id}/workspace")
    url = f"/reviews/items/{item.id}/evidence"

    def post(data: bytes, name: str):
        return client.post(
            url,
            data={
                "csrf_token": csrf_from(page.text),
                "version": str(item.version),
                "file": (io.BytesIO(data), name),
            },
            content_type="multipart/form-data",
        )

    bad = post(b"MZ\x90\x00 not allowed", "tool.exe")
    assert bad.status_code == 422 and "Accepted evidence" in bad.text
    ok = post(b"%PDF-1.7\n%%EOF\n", "design.pdf")
    assert ok.status_code == 302
    session.refresh(item)
    assert item.evidence_name == "design.pdf" and item.evidence_type == "application/pdf"
    download = client.get(url)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()  # send_file streams from an open file
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    login(client, cast.viewer.email, PASSWORD)
    again = client.get(url)
    assert again.status_code == 200  # readers of the review may download
    again.close()

"""The people CSV upload page: file checks, the table of row errors, all or nothing."""

from __future__ import annotations

import io
import re

import pytest
from conftest import csrf_from
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eagov.models import Person
from eagov.permissions import SYSTEM
from eagov.schemas.org import OrgUnitIn
from eagov.services import org

URL = "/org/people/import"


@pytest.fixture
def unit(session):
    return org.create_unit(
        session, SYSTEM, OrgUnitIn(name="Architecture", code="EAO", kind="function")
    )


def upload(client, content: bytes, filename="people.csv", content_type="text/csv"):
    token = csrf_from(client.get(URL).text)
    # Encoded in memory: the test client would spool a large body to a temporary file.
    boundary, body = encode_multipart(
        {
            "csrf_token": token,
            "file": FileStorage(io.BytesIO(content), filename=filename, content_type=content_type),
        }
    )
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def stored(session) -> list[str]:
    session.expunge_all()
    return sorted(p.email for p in session.exec(select(Person)).all())


def test_successful_import(client, login_as, session, unit):
    login_as("review_coordinator")
    body = (
        "\ufeffname,email,org_unit_code,phone\n"
        "Ana,ana@example.com,EAO,123\n"
        "王芳,wang@example.com,,\n"
    )
    resp = upload(client, body.encode("utf-8"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/org/people")
    assert stored(session) == ["ana@example.com", "wang@example.com"]
    assert "2 people imported." in client.get("/org/people").text


def test_row_errors_are_shown_in_a_table_and_nothing_is_imported(client, login_as, session, unit):
    login_as("admin")
    body = b"name,email,org_unit_code\nAna,ana@example.com,EAO\n,b@example.com,EAO\nC,bad,NOPE\n"
    resp = upload(client, body)
    assert resp.status_code == 422
    table = resp.text[resp.text.index('id="row-errors"') :]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>", table)
    assert rows == [
        ("3", "name", "The name is missing."),
        ("4", "org_unit_code", "There is no unit with the code &#39;NOPE&#39;."),
        ("4", "email", "This is not a valid e-mail address."),
    ]
    assert "nothing was imported" in resp.text
    assert stored(session) == []


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "status", "message"),
    [
        (b"name,email\nA,a@example.com\n", "people.xlsx", "text/csv", 422, "Only .csv files"),
        (b"name,email\nA,a@example.com\n", "people.csv", "image/png", 422, "not a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "people.csv", "text/csv", 422, "not a text file"),
        (
            "name,email\nJos\xe9,j@example.com\n".encode("latin-1"),
            "p.csv",
            "text/csv",
            422,
            "not UTF-8",
        ),
        (
            b"name,email\n" + b"x" * (2 * 1024 * 1024),
            "big.csv",
            "text/csv",
            413,
            "larger than 2 MB",
        ),
    ],
)
def test_upload_checks(
    client, login_as, session, unit, content, filename, content_type, status, message
):
    login_as("admin")
    resp = upload(client, content, filename, content_type)
    assert resp.status_code == status
    assert message in resp.text
    assert stored(session) == []


def test_missing_file(client, login_as):
    login_as("admin")
    token = csrf_from(client.get(URL).text)
    resp = client.post(URL, data={"csrf_token": token}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Choose a CSV file" in resp.text


def test_example_file_is_valid_utf8_csv(client, login_as):
    login_as("admin")
    resp = client.get("/org/people/import/example.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.decode("utf-8-sig").startswith("name,email,org_unit_code,phone")


def test_viewer_cannot_import(client, login_as, session, unit):
    login_as("viewer")
    assert client.get(URL).status_code == 403
    assert client.get("/org/people/import/example.csv").status_code == 403
    token = csrf_from(client.get("/org/people").text)
    resp = client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(b"name,email\nA,a@x.org\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403 and stored(session) == []

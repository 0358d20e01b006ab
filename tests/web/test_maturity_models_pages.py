"""The maturity model pages: list, import with line-numbered errors kept on the form, the
level x element descriptor grid in the reader's language, export."""

from __future__ import annotations

import io
import re

from conftest import count_statements, csrf_from
from test_maturity_models import ACMM, model_yaml
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eagov.permissions import SYSTEM
from eagov.schemas.maturity_models import ModelFile
from eagov.services import maturity_models as svc
from eagov.yaml_source import parse

URL = "/maturity/models/"


def upload(client, text: str | bytes, name: str = "model.yaml"):
    page = client.get(URL)
    data = text.encode() if isinstance(text, str) else text
    # Encoded in memory: the test client would spool a large body to a temporary file.
    boundary, body = encode_multipart(
        {"csrf_token": csrf_from(page.text), "file": FileStorage(io.BytesIO(data), filename=name)}
    )
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_coordinator_imports_views_and_exports(client, login_as):
    login_as("review_coordinator")
    resp = upload(client, model_yaml())
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).text
    assert "Test model" in page and "Weighted mean level" in page
    # the grid: one row per element, one cell per level, in order
    row = page[page.index('data-element="governance"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells == ["Nobody oversees.", "Advice on request.", "A board meets."]
    listing = client.get(URL).text
    entry = listing[listing.index('data-key="test-model"') :]
    entry = entry[: entry.index("</tr>")]
    assert "1.0.0" in entry and "Weighted mean level" in entry and ">2</td>" in entry
    export = client.get(resp.headers["Location"] + "/export.yaml")
    assert export.status_code == 200 and export.mimetype == "application/yaml"
    assert "test-model-1.0.0.yaml" in export.headers["Content-Disposition"]
    assert parse(export.data, ModelFile) == parse(model_yaml(), ModelFile)


def test_import_errors_are_listed_with_lines_on_the_form_and_nothing_is_stored(client, login_as):
    login_as("review_coordinator")
    resp = upload(client, model_yaml(level2="7"), name="mine.yaml")
    assert resp.status_code == 422
    errors = resp.text[resp.text.index('id="import-errors"') :]
    errors = errors[: errors.index("</div>")]
    assert "mine.yaml was not imported" in errors
    assert "line 27, elements.1.descriptors" in errors
    assert "line 30, elements.1.descriptors.7" in errors
    assert 'type="file"' in resp.text  # the form is still there to try again
    assert "test-model" not in client.get(URL).text
    wrong_type = upload(client, model_yaml(), name="model.txt")
    assert wrong_type.status_code == 422 and "must be YAML" in wrong_type.text
    too_big = upload(client, b"#" * (2 * 1024 * 1024 + 10))
    assert too_big.status_code == 422 and "larger than 2 MB" in too_big.text


def test_same_version_twice_is_a_conflict(client, login_as):
    login_as("admin")
    assert upload(client, model_yaml()).status_code == 302
    again = upload(client, model_yaml())
    assert again.status_code == 409 and "already imported" in again.text


def test_viewers_see_but_cannot_import(app, client, login_as, session):
    model = svc.import_model(session, SYSTEM, model_yaml())
    login_as("viewer")
    listing = client.get(URL)
    assert listing.status_code == 200 and "test-model" in listing.text
    assert 'type="file"' not in listing.text
    assert upload(client, model_yaml("2.0")).status_code == 403
    assert client.get(f"{URL}{model.id}").status_code == 200
    assert client.get(f"{URL}999").status_code == 404


def test_pages_need_a_login(client, session):
    model = svc.import_model(session, SYSTEM, model_yaml())
    for url in (URL, f"{URL}{model.id}", f"{URL}{model.id}/export.yaml"):
        assert client.get(url).status_code == 302


def test_the_grid_is_in_the_readers_language_else_english(client, login_as, session):
    model = svc.import_model(session, SYSTEM, ACMM.read_bytes())
    first = svc.elements(session, model.id)[0]
    # A row stored before translations were required: the reader gets English.
    first.descriptors = {**first.descriptors, "5": {"en": "Only in English."}}
    session.add(first)
    session.commit()
    login_as("viewer")
    zh = client.get(f"{URL}{model.id}", headers={"Accept-Language": "zh-Hans"}).text
    assert "架构能力成熟度模型" in zh and first.descriptors["0"]["zh_Hans"] in zh
    assert "Only in English." in zh
    assert first.descriptors["0"]["en"] not in zh
    en = client.get(f"{URL}{model.id}").text
    assert first.descriptors["0"]["en"] in en and "Under development" in en


def test_the_pages_run_a_bounded_number_of_statements(app, client, login_as, session):
    login_as("viewer")
    svc.import_model(session, SYSTEM, model_yaml("1.0.0"))
    client.get(URL)  # warm up
    with count_statements(app) as small:
        assert client.get(URL).status_code == 200
    for n in range(1, 10):
        svc.import_model(session, SYSTEM, model_yaml(f"1.{n}.0"))
        svc.import_model(session, SYSTEM, model_yaml().replace("test-model", f"model-{n}"))
    with count_statements(app) as large:
        assert client.get(URL).text.count("data-key=") == 10
    assert len(small) == len(large) < 12, large
    acmm = svc.import_model(session, SYSTEM, ACMM.read_bytes())
    with count_statements(app) as grid:
        page = client.get(f"{URL}{acmm.id}").text
    assert page.count("data-element=") == len(svc.elements(session, acmm.id)) == 9
    assert len(grid) < 12, grid

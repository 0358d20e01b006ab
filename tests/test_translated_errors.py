"""Messages raised by services and schemas reach people in their language.

Services raise lazy messages (``lazy_gettext``): English outside a request (and outside an
app context), the reader's language on pages and in problem documents.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import csrf_from, post_form
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eagov.errors import Invalid, NotFound, error_message, field_errors
from eagov.i18n import select_locale, select_timezone
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate, UserCreate
from eagov.schemas.org import BoardMemberIn, OrgUnitIn, PersonIn
from eagov.services import org

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


# --- no request: the configured defaults ---------------------------------------------------------


def test_locale_and_zone_fall_back_to_the_defaults_without_a_request(app: Any) -> None:
    app.config.update(DEFAULT_LOCALE="zh_Hans", DEFAULT_TIMEZONE="Asia/Shanghai")
    with app.app_context():  # as in a CLI command or a scheduled job
        assert select_locale() == "zh_Hans"
        assert select_timezone() == "Asia/Shanghai"
        assert gettext("Not found") == "未找到"
        assert str(_l("The unit does not exist.")) == "该组织单元不存在。"
    app.config.update(DEFAULT_LOCALE="en", DEFAULT_TIMEZONE="UTC")
    with app.app_context():
        assert select_locale() == "en" and select_timezone() == "UTC"
        assert str(Invalid().detail) == "Some fields need attention."


def test_cli_messages_use_the_default_language(app: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "--email", "not-an-address", "--role", "viewer"])
    assert result.exit_code != 0
    assert "This is not a valid e-mail address." in result.output


def test_lazy_messages_are_english_without_an_app_context(session: Any) -> None:
    with pytest.raises(Invalid) as err:
        org.create_unit(session, SYSTEM, OrgUnitIn(name="A", kind="team", parent_id=4242))
    assert err.value.errors == {"parent_id": "The parent unit does not exist."}
    assert str(err.value.errors["parent_id"]) == "The parent unit does not exist."
    assert str(err.value) == "Some fields need attention." == err.value.detail
    with pytest.raises(NotFound) as missing:
        org.update_unit(session, SYSTEM, 4242, OrgUnitIn(name="A", kind="team"), None)
    assert str(missing.value) == "There is no org unit with the id 4242."


# --- pydantic's error types in our words ---------------------------------------------------------


def _errors(schema: Any, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        schema.model_validate(data)
    return {k: str(v) for k, v in field_errors(err.value).items()}


def test_pydantic_errors_get_our_messages() -> None:
    assert _errors(OrgUnitIn, {"name": "", "kind": "planet", "code": "a b", "x": 1}) == {
        "name": "This field must not be empty.",
        "kind": "Choose one of: enterprise, division, business_unit, function, product_line, "
        "customer_segment, region, team, board.",
        "code": "The value does not match the pattern ^[A-Za-z0-9_.-]*$.",
        "x": "Unknown field.",
    }
    assert _errors(
        UserCreate, {"email": "nope", "name": "n" * 201, "roles": [], "password": "short"}
    ) == {
        "email": "This is not a valid e-mail address.",
        "name": "Enter at most 200 characters.",
        "roles": "Choose at least one.",
        "password": "Enter at least 10 characters.",
    }
    assert _errors(TokenCreate, {"expires_in_days": 0}) == {
        "name": "This field is required.",
        "expires_in_days": "Enter a value of at least 1.",
    }
    assert _errors(TokenCreate, {"name": "t", "expires_in_days": 4000})["expires_in_days"] == (
        "Enter a value of at most 3650."
    )
    assert _errors(TokenCreate, {"name": "t", "expires_in_days": "soon"})["expires_in_days"] == (
        "Enter a whole number."
    )
    assert _errors(BoardMemberIn, {"person_id": 1, "term_start": "someday"}) == {
        "term_start": "Enter a date as YYYY-MM-DD."
    }
    # Our own validators' messages, without pydantic's "Value error, " prefix.
    assert _errors(
        BoardMemberIn, {"person_id": 1, "term_start": "2025-02-01", "term_end": "2025-01-01"}
    ) == {"__root__": "The term cannot end before it starts."}


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        ({"type": "bool_parsing", "msg": "x"}, "Enter true or false."),
        ({"type": "datetime_parsing", "msg": "x"}, "Enter a date and time, such as"),
        ({"type": "list_type", "msg": "x"}, "Enter a list."),
        ({"type": "literal_error", "ctx": {"expected": "'en' or 'zh_Hans'"}}, "one of: en, zh_"),
        ({"type": "too_short", "ctx": {"min_length": 2}}, "Give at least 2 items."),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, "must not be empty"),
        ({"type": "greater_than", "ctx": {"gt": 0}}, "greater than 0"),
        ({"type": "value_error", "msg": "Value error, plain text"}, "plain text"),
        ({"type": "uuid_parsing", "msg": "Input should be a valid UUID"}, "valid UUID"),
    ],
)
def test_error_types(err: dict[str, Any], expected: str) -> None:
    assert expected in str(error_message(err))


def test_pydantic_messages_in_chinese(app: Any) -> None:
    with app.test_request_context("/", headers=ZH):
        assert _errors(OrgUnitIn, {"name": "", "kind": "planet", "x": 1}) == {
            "name": "此字段不能为空。",
            "kind": "请从以下选项中选择：enterprise, division, business_unit, function, "
            "product_line, customer_segment, region, team, board。",
            "x": "未知字段。",
        }
        assert _errors(PersonIn, {"name": "A", "email": "bad"}) == {
            "email": "这不是有效的电子邮件地址。"
        }
        assert _errors(
            UserCreate,
            {"email": "a@example.com", "name": "A", "roles": ["admin"], "password": "short"},
        ) == {"password": "请至少输入 10 个字符。"}


# --- problem documents ---------------------------------------------------------------------------


class Api:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get("/api/v1" + path, headers=self.headers | (headers or {}))

    def post(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post("/api/v1" + path, json=json, headers=self.headers | (headers or {}))


def assert_problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.mimetype == "application/problem+json"
    return resp.json  # type: ignore[no-any-return]


@pytest.fixture
def admin_api(client: Any, api_token: Any) -> Api:
    _user, headers = api_token("admin")
    return Api(client, headers)


def test_422_problem_in_chinese(admin_api: Any) -> None:
    resp = admin_api.post("/org-units", json={"name": "", "kind": "planet"}, headers=ZH)
    body = assert_problem(resp, 422)
    assert body["title"] == "Invalid input"  # stable for programs
    assert body["detail"] == "部分字段需要修改。"
    assert body["errors"]["name"] == "此字段不能为空。"
    assert body["errors"]["kind"].startswith("请从以下选项中选择：")

    rule = admin_api.post(
        "/org-units", json={"name": "A", "kind": "team", "parent_id": 4242}, headers=ZH
    )
    assert assert_problem(rule, 422)["errors"] == {"parent_id": "上级单元不存在。"}


def test_problem_details_stay_english_by_default(admin_api: Any) -> None:
    body = assert_problem(admin_api.get("/org-units/4242"), 404)
    assert body == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "There is no org unit with the id 4242.",
    }
    zh = assert_problem(admin_api.get("/org-units/4242", headers=ZH), 404)
    assert zh["title"] == "Not found" and zh["detail"] == "组织单元 4242 不存在。"


def test_problem_for_missing_token_in_chinese(client: Any) -> None:
    body = assert_problem(client.get("/api/v1/org-units", headers=ZH), 401)
    assert body["title"] == "Unauthorized"
    assert body["detail"] == "请发送 API 令牌：Authorization: Bearer <token>。"


# --- pages ---------------------------------------------------------------------------------------


def test_form_page_shows_chinese_field_messages(client: Any, login_as: Any, session: Any) -> None:
    login_as("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH["Accept-Language"]
    resp = post_form(client, "/org/people/new", {"name": "", "email": "bad"})
    assert resp.status_code == 422
    assert "此字段不能为空。" in resp.text
    assert "这不是有效的电子邮件地址。" in resp.text
    assert "String should" not in resp.text and "This field" not in resp.text

    org.create_person(session, SYSTEM, PersonIn(name="Ann", email="ann@example.com"))
    resp = post_form(client, "/org/people/new", {"name": "Bob", "email": "ann@example.com"})
    assert resp.status_code == 422
    assert "其他人员已使用此电子邮件地址。" in resp.text


def test_stale_edit_message_in_chinese(client: Any, login_as: Any, session: Any) -> None:
    login_as("admin")
    unit = org.create_unit(session, SYSTEM, OrgUnitIn(name="Group", kind="enterprise"))
    url = f"/org/units/{unit.id}/edit"
    page = client.get(url, headers=ZH).text
    org.update_unit(session, SYSTEM, unit.id, OrgUnitIn(name="Theirs", kind="enterprise"), 1)
    resp = client.post(
        url,
        data={"name": "Mine", "kind": "enterprise", "version": "1", "csrf_token": csrf_from(page)},
        headers=ZH,
    )
    assert resp.status_code == 409
    assert "此记录（组织单元）已被他人更改（您编辑的是版本 1，当前为版本 2）" in resp.text


def test_error_pages_have_a_translated_title_and_no_werkzeug_text(
    client: Any, login_as: Any
) -> None:
    login_as("admin")
    resp = client.get("/no/such/page", headers=ZH)
    assert resp.status_code == 404
    assert "<title>404 未找到" in resp.text
    assert "找不到该页面" in resp.text
    assert "The requested URL was not found" not in resp.text
    assert "Not Found" not in resp.text

    english = client.get("/no/such/page")
    assert "<title>404 Not found" in english.text
    assert "The requested URL was not found" not in english.text

    # Our own domain errors keep their (translated) detail.
    resp = client.get("/org/units/4242", headers=ZH)
    assert resp.status_code == 404
    assert "组织单元 4242 不存在。" in resp.text and "<title>404 未找到" in resp.text


def test_forbidden_page_in_chinese(client: Any, login_as: Any) -> None:
    login_as("viewer")
    resp = client.get("/admin/users", headers=ZH)
    assert resp.status_code == 403
    assert "<title>403 禁止访问" in resp.text and "Forbidden" not in resp.text


def test_csv_row_errors_in_chinese_and_escaped(client: Any, login_as: Any, session: Any) -> None:
    login_as("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH["Accept-Language"]
    url = "/org/people/import"
    content = b"name,email,org_unit_code\nAna,ana@example.com,<b>x</b>\n,b@x.com,\n"
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_from(client.get(url).text),
            "file": FileStorage(io.BytesIO(content), filename="p.csv", content_type="text/csv"),
        }
    )
    resp = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code == 422
    assert "发现 2 个问题，未导入任何内容。" in resp.text
    assert "缺少姓名。" in resp.text
    # A value from the file inside a message is escaped like any other text.
    assert "不存在代码为“&lt;b&gt;x&lt;/b&gt;”的组织单元。" in resp.text
    assert "<b>x</b>" not in resp.text

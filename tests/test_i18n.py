"""Language and time zone: the user's choice, else the browser's; times in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import csrf_from, login


def test_browser_language_picks_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-Hans"' in page.text
    assert "登录" in page.text


def test_english_by_default(client):
    page = client.get("/login")
    assert 'lang="en"' in page.text and "Sign in" in page.text


def test_switching_language_is_remembered_for_the_user(app, client, make_user):
    user = make_user("viewer")
    login(client, user.email)
    home = client.get("/")
    resp = client.post(
        "/lang", data={"lang": "zh_Hans", "next": "/", "csrf_token": csrf_from(home.text)}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert 'lang="zh-Hans"' in client.get("/").text
    # A new browser session of the same user, sending English, still gets Chinese.
    other = app.test_client()
    login(other, user.email)
    assert 'lang="zh-Hans"' in other.get("/", headers={"Accept-Language": "en"}).text


def test_times_follow_the_configured_zone(app):
    from eagov.web.filters import localtime

    moment = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    shown = {}
    for zone in ("UTC", "Asia/Shanghai"):
        app.config["DEFAULT_TIMEZONE"] = zone
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            shown[zone] = localtime(moment, "short")
    assert shown["UTC"].endswith("12:00\u202fPM") or shown["UTC"].endswith("12:00 PM")
    assert "8:00" in shown["Asia/Shanghai"] and "PM" in shown["Asia/Shanghai"]


def test_user_time_zone_applies_on_pages(client, make_user, session):
    from eagov.permissions import Actor
    from eagov.schemas.accounts import ProfileUpdate
    from eagov.services import accounts, audit

    admin = make_user("admin")
    accounts.update_profile(
        session, Actor.of(admin), ProfileUpdate(name=admin.name, timezone="America/New_York")
    )
    audit.record(
        session,
        Actor.of(admin),
        "update",
        "org_unit",
        99,
        {},
        now=datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
    )
    session.commit()
    login(client, admin.email)
    page = client.get("/").text
    assert "1/15/26, 7:00" in page  # 12:00 UTC is 07:00 in New York in January


def test_templates_follow_a_locale_forced_inside_a_request(app):
    """The templates keep the catalogue of the locale in force: switching to another
    language in the middle of a request (an e-mail or a document in the reader's language)
    and back gives each its own strings."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Contracts') }}|{{ ngettext('%(num)s item', '%(num)s items', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "Contracts|2 items"
        with force_locale("zh_Hans"):
            assert render_template_string(template) == "架构合同|共 2 项"
        assert render_template_string(template) == "Contracts|2 items"

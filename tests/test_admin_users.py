"""Admin pages: invite, edit, disable users; stale edits refused."""

from __future__ import annotations

from conftest import post_form


def test_admin_invites_a_user_and_sees_the_link(client, login_as):
    login_as("admin")
    resp = post_form(
        client,
        "/admin/users/new",
        {"email": "newbie@example.com", "name": "Newbie", "roles": ["architect", "viewer"]},
    )
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"])
    assert "/invite/" in page.text
    listing = client.get("/admin/users?q=newbie")
    assert "newbie@example.com" in listing.text and "invited" in listing.text


def test_invite_form_keeps_input_and_shows_field_errors(client, login_as):
    login_as("admin")
    resp = post_form(client, "/admin/users/new", {"email": "not-an-email", "name": "Kept Name"})
    assert resp.status_code == 200
    assert 'value="Kept Name"' in resp.text and 'value="not-an-email"' in resp.text
    assert "is-invalid" in resp.text


def test_stale_user_edit_is_refused(client, login_as, make_user):
    login_as("admin")
    target = make_user("viewer")
    url = f"/admin/users/{target.id}"
    form = {"name": "First edit", "roles": ["viewer"], "is_active": "on", "version": "1"}
    assert post_form(client, url, form).status_code == 302
    stale = post_form(client, url, {**form, "name": "Second edit"})
    assert stale.status_code == 409
    assert "Someone else changed" in stale.text and 'value="Second edit"' in stale.text


def test_non_admin_gets_403_on_admin_pages(client, login_as):
    login_as("architect")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_user_search_takes_wildcards_literally(client, login_as, make_user):
    login_as("admin")
    make_user("viewer", name="Percent 100%")
    make_user("viewer", name="Plain Name")
    page = client.get("/admin/users", query_string={"q": "100%"}).text
    assert "Percent 100%" in page and "Plain Name" not in page
    assert "Plain Name" not in client.get("/admin/users", query_string={"q": "%"}).text

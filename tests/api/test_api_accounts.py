"""Users (administrators), your own account and your tokens through the API."""

from __future__ import annotations

from apihelp import Api, as_role, assert_problem, created


def test_admin_invites_lists_gets_and_updates_users(client, api_token):
    admin = as_role(client, api_token, "admin")
    resp = admin.post(
        "/users", json={"email": "New@Example.com", "name": "New person", "roles": ["architect"]}
    )
    user = created(resp)
    assert user["email"] == "new@example.com" and user["roles"] == ["architect"]
    assert user["invite_url"].startswith("http://localhost/invite/")
    assert client.get(user["invite_url"]).status_code == 200  # the link really works

    with_password = created(
        admin.post(
            "/users",
            json={"email": "p@example.com", "name": "P", "roles": ["viewer"], "password": "x" * 12},
        )
    )
    assert with_password["invite_url"] is None
    assert "password" not in with_password and "password_hash" not in with_password

    path = f"/users/{user['id']}"
    got = admin.get(path)
    assert got.headers["ETag"] == '"1"' and "invite_url" not in got.json
    update = {"name": "New name", "roles": ["architect", "board_member"], "is_active": True}
    changed = admin.put(path, update, '"1"')
    assert changed.status_code == 200, changed.text
    assert changed.json["roles"] == ["architect", "board_member"]
    assert changed.headers["ETag"] == '"2"'
    assert_problem(admin.put(path, update | {"name": "Z"}, '"1"'), 412)

    listing = admin.get("/users?role=board_member").json
    assert [u["email"] for u in listing["items"]] == ["new@example.com"]
    assert admin.get("/users?q=p%40example").json["total"] == 1
    duplicate = admin.post(
        "/users", json={"email": "p@example.com", "name": "P", "roles": ["viewer"]}
    )
    assert "email" in assert_problem(duplicate, 422)["errors"]
    no_roles = admin.post("/users", json={"email": "r@example.com", "name": "R", "roles": []})
    assert "roles" in assert_problem(no_roles, 422)["errors"]


def test_a_roles_only_change_moves_the_version_on(client, api_token):
    admin = as_role(client, api_token, "admin")
    user = created(
        admin.post("/users", json={"email": "n@example.com", "name": "N", "roles": ["viewer"]})
    )
    update = {"name": "N", "roles": ["architect"], "is_active": True}
    assert admin.put(f"/users/{user['id']}", update, '"1"').json["version"] == 2


def test_only_admins_manage_users(client, api_token):
    coordinator = as_role(client, api_token, "review_coordinator")
    assert_problem(coordinator.get("/users"), 403)
    assert_problem(coordinator.get("/users/1"), 403)
    assert_problem(
        coordinator.post(
            "/users", json={"email": "x@example.com", "name": "X", "roles": ["viewer"]}
        ),
        403,
    )


def test_disabling_a_user_ends_their_api_access(client, api_token):
    admin = as_role(client, api_token, "admin")
    user, headers = api_token("viewer")
    victim = Api(client, headers)
    assert victim.get("/users/me").status_code == 200
    update = {"name": user.name, "roles": ["viewer"], "is_active": False}
    assert admin.put(f"/users/{user.id}", update, f'"{user.version}"').status_code == 200
    assert_problem(victim.get("/users/me"), 401)


def test_me_reads_and_updates_own_profile(client, api_token):
    user, headers = api_token("viewer")
    me = Api(client, headers)
    got = me.get("/users/me")
    assert got.json["id"] == user.id and got.json["roles"] == ["viewer"]
    etag = got.headers["ETag"]

    profile = {"name": "Renamed", "locale": "zh_Hans", "timezone": "Asia/Shanghai"}
    assert_problem(me.put("/users/me", profile), 428)
    changed = me.put("/users/me", profile, etag)
    assert changed.status_code == 200, changed.text
    assert changed.json["name"] == "Renamed" and changed.headers["ETag"] != etag
    assert assert_problem(me.put("/users/me", profile, etag), 412)["current_version"] > 1
    bad = me.put("/users/me", {"name": "R", "timezone": "Mars/Olympus"}, changed.headers["ETag"])
    assert "timezone" in assert_problem(bad, 422)["errors"]


def test_tokens_list_create_get_revoke(client, api_token):
    user, headers = api_token("viewer")
    me = Api(client, headers)
    resp = me.post("/tokens", json={"name": "ci", "expires_in_days": 30})
    token = created(resp)
    assert token["secret"].startswith("eag_") and token["prefix"] == token["secret"][:12]
    assert token["expires_at"] is not None

    listed = me.get("/tokens").json
    assert listed["total"] == 2 and listed["items"][0]["name"] == "ci"  # newest first
    assert all("secret" not in t for t in listed["items"])
    assert me.client.get(resp.headers["Location"], headers=headers).json["name"] == "ci"

    ci = Api(client, {"Authorization": f"Bearer {token['secret']}"})
    assert ci.get("/users/me").json["id"] == user.id
    assert me.delete(f"/tokens/{token['id']}").status_code == 204
    assert_problem(ci.get("/users/me"), 401)
    assert me.get(f"/tokens/{token['id']}").json["revoked_at"] is not None

    forever = created(me.post("/tokens", json={"name": "forever", "expires_in_days": None}))
    assert forever["expires_at"] is None
    assert (
        "expires_in_days"
        in assert_problem(me.post("/tokens", json={"name": "x", "expires_in_days": 0}), 422)[
            "errors"
        ]
    )


def test_someone_elses_token_is_out_of_reach(client, api_token):
    owner = as_role(client, api_token, "viewer")
    other = as_role(client, api_token, "viewer")
    [token] = owner.get("/tokens").json["items"]
    assert other.get("/tokens").json["items"][0]["id"] != token["id"]
    assert_problem(other.get(f"/tokens/{token['id']}"), 403)
    assert_problem(other.delete(f"/tokens/{token['id']}"), 403)
    assert owner.get("/users/me").status_code == 200

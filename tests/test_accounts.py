"""Accounts: password hashing and rehash, lockout, sessions ending, invitations, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, csrf_from, login, post_form
from sqlmodel import select

from eagov.errors import Forbidden, Invalid
from eagov.models import LoginAttempt, User, utcnow
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.accounts import PasswordChange, TokenCreate, UserCreate
from eagov.services import accounts

POLICY = accounts.LockoutPolicy(window=timedelta(minutes=15), max_per_account=3, max_per_address=5)


def test_password_is_stored_as_argon2(session, make_user):
    user = make_user("viewer")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_rehashes_when_parameters_change(session, make_user):
    user = make_user("viewer")
    weak = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    user.password_hash = weak.hash(PASSWORD)
    session.add(user)
    session.commit()
    accounts.authenticate(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    session.commit()
    session.refresh(user)
    assert "m=64," not in user.password_hash
    assert accounts.authenticate(session, user.email, PASSWORD, "10.0.0.1", POLICY).id == user.id


def test_wrong_password_and_unknown_account_give_the_same_refusal(session, make_user):
    user = make_user("viewer")
    with pytest.raises(accounts.LoginRefused) as wrong:
        accounts.authenticate(session, user.email, "nope-nope-nope", "10.0.0.1", POLICY)
    with pytest.raises(accounts.LoginRefused) as unknown:
        accounts.authenticate(session, "ghost@example.com", "nope-nope-nope", "10.0.0.1", POLICY)
    assert wrong.value.reason == unknown.value.reason == "invalid"


def test_account_locks_after_repeated_failures_even_with_right_password(session, make_user):
    user = make_user("viewer")
    now = utcnow()
    for _ in range(3):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(session, user.email, "wrong-password", "10.0.0.1", POLICY, now)
    with pytest.raises(accounts.LoginRefused) as locked:
        accounts.authenticate(session, user.email, PASSWORD, "10.0.0.9", POLICY, now)
    assert locked.value.reason == "locked"
    # The failures are rows in the database, so every app process sees them.
    assert (
        len(session.exec(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()) == 4
    )
    later = now + timedelta(minutes=16)
    assert accounts.authenticate(session, user.email, PASSWORD, "10.0.0.1", POLICY, later).id


def test_address_locks_across_accounts(session, make_user):
    now = utcnow()
    for i in range(5):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(
                session, f"user{i}@example.com", "x" * 12, "10.9.9.9", POLICY, now
            )
    user = make_user("viewer")
    with pytest.raises(accounts.LoginRefused) as locked:
        accounts.authenticate(session, user.email, PASSWORD, "10.9.9.9", POLICY, now)
    assert locked.value.reason == "locked"
    assert accounts.authenticate(session, user.email, PASSWORD, "10.1.1.1", POLICY, now).id


def test_login_page_reports_lockout(client, make_user, app):
    app.config["LOCKOUT_MAX_PER_ACCOUNT"] = 2
    user = make_user("viewer")
    for _ in range(2):
        assert login(client, user.email, "wrong-password").status_code == 401
    resp = login(client, user.email)
    assert resp.status_code == 429
    assert "Too many failed attempts" in resp.text
    assert f'value="{user.email}"' in resp.text  # the typed address is kept


def test_disabled_user_cannot_sign_in(session, make_user):
    admin = make_user("admin")
    user = make_user("viewer")
    from eagov.schemas.accounts import UserUpdate

    accounts.update_user(
        session,
        Actor.of(admin),
        user.id,
        UserUpdate(name=user.name, roles=["viewer"], is_active=False),
        user.version,
    )
    with pytest.raises(accounts.LoginRefused) as refused:
        accounts.authenticate(session, user.email, PASSWORD, "10.0.0.1", POLICY)
    assert refused.value.reason == "disabled"


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user("viewer")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.email)
    login(elsewhere, user.email)
    assert elsewhere.get("/").status_code == 200
    resp = post_form(
        here,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "brand-new-secret-1",
            "confirm_password": "brand-new-secret-1",
        },
    )
    assert resp.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # sent back to the login page
    assert login(elsewhere, user.email, "brand-new-secret-1").status_code == 302


def test_password_change_needs_the_current_password(session, make_user):
    user = make_user("viewer")
    with pytest.raises(Invalid) as exc:
        accounts.change_password(
            session,
            Actor.of(user),
            PasswordChange(current_password="not-it", new_password="another-password"),
        )
    assert "current_password" in exc.value.errors


def test_invitation_sets_password_once(session, make_user, client):
    admin = make_user("admin")
    user, invite = accounts.create_user(
        session,
        Actor.of(admin),
        UserCreate(email="New.Person@Example.com", name="New Person", roles=["architect"]),
    )
    assert invite and user.password_hash is None and user.email == "new.person@example.com"
    page = client.get(f"/invite/{invite}")
    assert page.status_code == 200
    resp = client.post(
        f"/invite/{invite}",
        data={
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert resp.status_code == 200 and "at least 10" in resp.text
    resp = client.post(
        f"/invite/{invite}",
        data={
            "new_password": "a-good-password",
            "confirm_password": "a-good-password",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert resp.status_code == 302
    assert client.get(f"/invite/{invite}").status_code == 404  # single use


def test_only_admins_create_users(session, make_user):
    architect = make_user("architect")
    with pytest.raises(Forbidden):
        accounts.create_user(
            session,
            Actor.of(architect),
            UserCreate(email="x@example.com", name="X", roles=["viewer"]),
        )


def test_tokens_are_hashed_listed_and_revocable(session, make_user):
    user = make_user("architect")
    token, secret = accounts.create_token(session, Actor.of(user), TokenCreate(name="ci"))
    assert secret.startswith("eag_") and secret not in token.token_hash
    assert accounts.user_for_token(session, secret).id == user.id
    assert [t.id for t in accounts.list_tokens(session, Actor.of(user))] == [token.id]
    accounts.revoke_token(session, Actor.of(user), token.id)
    assert accounts.user_for_token(session, secret) is None


def test_expired_token_is_refused(session, make_user):
    user = make_user("viewer")
    _t, secret = accounts.create_token(
        session, Actor.of(user), TokenCreate(name="short", expires_in_days=1)
    )
    assert accounts.user_for_token(session, secret, utcnow() + timedelta(days=2)) is None


def test_someone_elses_token_cannot_be_revoked(session, make_user):
    owner, other = make_user("viewer"), make_user("architect")
    token, _ = accounts.create_token(session, Actor.of(owner), TokenCreate(name="mine"))
    with pytest.raises(Forbidden):
        accounts.revoke_token(session, Actor.of(other), token.id)


def test_token_page_shows_secret_once(client, login_as):
    login_as("viewer")
    resp = post_form(client, "/account/tokens", {"name": "script", "expires_in_days": "30"})
    assert resp.status_code == 200 and 'id="new-token"' in resp.text
    assert 'id="new-token"' not in client.get("/account/tokens").text


def test_system_actor_creates_users(session):
    user, _ = accounts.create_user(
        session,
        SYSTEM,
        UserCreate(email="a@example.com", name="A", roles=["admin"], password="x" * 12),
    )
    assert session.get(User, user.id).role_names == {"admin"}

"""Configuration: defaults, then ``EAGOV_*`` environment variables, then an explicit mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: a SQLite file under the instance folder
    "SECRET_KEY": None,  # None: generated once, kept under instance/ with 0600 permissions
    "DEFAULT_LOCALE": "en",
    "DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": ["en", "zh_Hans"],
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "MAIL_FROM": "eagov@localhost",
    "MAIL_ENABLED": False,
    "BASE_URL": "http://127.0.0.1:5000",
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    "TRUSTED_PROXIES": 0,
    # Login lockout: failures counted in the database inside a sliding window.
    "LOCKOUT_WINDOW_MINUTES": 15,
    "LOCKOUT_MAX_PER_ACCOUNT": 5,
    "LOCKOUT_MAX_PER_ADDRESS": 20,
    # Above the largest evidence file (storage.MAX_EVIDENCE_BYTES) plus the form around it.
    "MAX_CONTENT_LENGTH": 24 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "EVIDENCE_DIR": None,  # None: instance/evidence
    # The longest a dispensation may be granted for, in months.
    "DISPENSATION_MAX_MONTHS": 12,
    # The scheduler process (`eagov scheduler`): how often it sweeps for due reminders and
    # delivers e-mail, when it sends the daily digests (in each user's time zone), the
    # periodic contract audit (months between audits) and the daily expiry jobs (UTC hour).
    "SCHEDULER_SWEEP_MINUTES": 5,
    "SCHEDULER_DELIVER_SECONDS": 60,
    "SCHEDULER_DIGEST_HOUR": 8,
    "SCHEDULER_DAILY_HOUR_UTC": 2,
    "SCHEDULER_CONTRACT_AUDIT_MONTHS": 3,
    # On its first sweep the scheduler looks back this many days; after downtime it catches
    # up on everything missed since its last sweep, but never further back than the cap.
    "REMINDER_FIRST_LOOKBACK_DAYS": 1,
    "REMINDER_CATCH_UP_MAX_DAYS": 31,
    # SMTP failures are retried after these many minutes, then given up (shown to admins).
    "MAIL_RETRY_MINUTES": [1, 5, 30, 120, 720],
    "SMTP_TIMEOUT_SECONDS": 30,
    # A job's lease (renewed while it runs) keeps a second scheduler off it; short, so that a
    # killed scheduler's restart is not locked out for long.
    "SCHEDULER_LEASE_SECONDS": 120,
    "SCHEDULER_DIGEST_CHECK_SECONDS": 3600,
    # A mail claimed for sending this long ago was interrupted mid-send: it is sent again.
    "MAIL_SENDING_STALE_SECONDS": 600,
    # How long the satisfaction-survey link sent after a request is resolved stays usable.
    "SURVEY_VALID_DAYS": 30,
    "PAGE_SIZE": 25,
    "MAX_PAGE_SIZE": 200,
    "INVITE_VALID_DAYS": 7,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "BOOTSTRAP_SERVE_LOCAL": True,
    # argon2 parameters; tests lower them to keep the suite fast.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("EAGOV")
    if overrides:
        app.config.from_mapping(overrides)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'eagov.db'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _instance_secret(path: Path) -> str:
    """Read the generated key, or create it readable by the owner only."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key

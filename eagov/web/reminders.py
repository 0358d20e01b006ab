"""Reminder rules and the scheduler's administration (pages)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reminders", __name__)

"""Maturity model libraries: list, view, import and export (pages)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("maturity_models", __name__)

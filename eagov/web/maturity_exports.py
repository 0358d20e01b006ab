"""Maturity reports: Word, Excel, CSV and JSON downloads (pages)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("maturity_exports", __name__)

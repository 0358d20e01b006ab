"""People's skills, assessments and gap analysis (pages)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("skills_people", __name__)

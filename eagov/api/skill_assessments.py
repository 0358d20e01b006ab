"""/api/v1 skill_assessments."""

from __future__ import annotations

"""/api/v1 maturity_assessments."""

from __future__ import annotations

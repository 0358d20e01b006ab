"""/api/v1 maturity_models."""

from __future__ import annotations

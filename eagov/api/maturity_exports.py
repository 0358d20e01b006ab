"""/api/v1 maturity_exports."""

from __future__ import annotations

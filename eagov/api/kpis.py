"""/api/v1/kpis."""

from __future__ import annotations

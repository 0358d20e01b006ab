"""/api/v1/calendar."""

from __future__ import annotations

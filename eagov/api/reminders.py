"""/api/v1 reminders."""

from __future__ import annotations

"""/api/v1/actions."""

from __future__ import annotations

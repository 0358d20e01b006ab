"""/api/v1 roles."""

from __future__ import annotations

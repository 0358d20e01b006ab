"""/api/v1 skills."""

from __future__ import annotations

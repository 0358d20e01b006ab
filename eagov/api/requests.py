"""/api/v1/requests."""

from __future__ import annotations

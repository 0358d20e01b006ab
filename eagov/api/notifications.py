"""/api/v1 notifications."""

from __future__ import annotations

"""/api/v1/meetings."""

from __future__ import annotations

"""The periodic audit of active contracts."""

from __future__ import annotations

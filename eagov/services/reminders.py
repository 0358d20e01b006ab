"""Reminder rules and the sweep that turns them into notifications."""

from __future__ import annotations

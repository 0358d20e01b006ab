"""Delivering notifications: e-mail over SMTP (immediately or in a daily digest) with
retries, and the in-app inbox."""

from __future__ import annotations

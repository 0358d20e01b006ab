"""Input and output of the notification inbox and the delivery preferences."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..models.reminders import DeliveryMode, ReminderKind
from .common import Schema


class PreferenceIn(Schema):
    kind: ReminderKind
    mode: DeliveryMode = DeliveryMode.IMMEDIATE
    email_enabled: bool = True


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(default_factory=list, max_length=50)


class PreferenceRead(Schema):
    kind: str
    mode: str
    email_enabled: bool


class PreferencesRead(Schema):
    preferences: list[PreferenceRead]


class NotificationRead(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    due_at: datetime
    late: bool
    escalation: bool
    read_at: datetime | None
    created_at: datetime

"""/api/v1 notifications: your in-app inbox (newest first, mark read) and your delivery
preferences per reminder kind."""

from __future__ import annotations

from flask import Response
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..models import Notification, utcnow
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.notifications import NotificationRead, PreferencesIn, PreferencesRead
from ..services import delivery
from . import bp
from .listing import MAX_PAGE, MAX_PER_PAGE
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Notifications"


class InboxQuery(Schema):
    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(default=25, ge=1, le=MAX_PER_PAGE, description="Items per page.")
    unread: bool = Field(default=False, description="Only notifications not read yet.")


class UnreadCount(Schema):
    unread: int


class Marked(Schema):
    marked: int


class NoInput(Schema):
    """Nothing to say: send an empty object, {}."""


def notification_read(item: Notification) -> NotificationRead:
    return read_from(NotificationRead, item)


@endpoint(
    bp,
    "/notifications",
    summary="Your notifications",
    tag=TAG,
    query=InboxQuery,
    response=Page[NotificationRead],
)
def list_notifications(query: InboxQuery) -> Response:
    """Your in-app notifications, newest first (cancelled reminders are left out)."""
    found = delivery.inbox(
        get_session(), current_actor(), query.page, query.per_page, unread=query.unread
    )
    return respond_page(found, notification_read)


@endpoint(
    bp,
    "/notifications/unread-count",
    summary="How many of your notifications are unread",
    tag=TAG,
    response=UnreadCount,
)
def unread_notifications() -> Response:
    actor = current_actor()
    delivery.inbox(get_session(), actor, 1, 1)  # the permission check
    return respond(UnreadCount(unread=delivery.unread_count(get_session(), actor.user_id or 0)))


@endpoint(
    bp,
    "/notifications/<id:notification_id>/read",
    method="POST",
    summary="Mark a notification as read",
    tag=TAG,
    body=NoInput,
    response=NotificationRead,
)
def read_notification(notification_id: int, body: NoInput) -> Response:
    """Someone else's notification is a 404."""
    item = delivery.mark_read(get_session(), current_actor(), notification_id, utcnow())
    return respond(notification_read(item))


@endpoint(
    bp,
    "/notifications/read-all",
    method="POST",
    summary="Mark all your notifications as read",
    tag=TAG,
    body=NoInput,
    response=Marked,
)
def read_all_notifications(body: NoInput) -> Response:
    return respond(Marked(marked=delivery.mark_all_read(get_session(), current_actor(), utcnow())))


@endpoint(
    bp,
    "/notifications/preferences",
    summary="Your delivery preferences",
    tag=TAG,
    response=PreferencesRead,
)
def get_notification_preferences() -> Response:
    """Per reminder kind: e-mail on or off, and immediately or in the daily digest (sent once
    a day after SCHEDULER_DIGEST_HOUR in your time zone)."""
    prefs = delivery.preferences(get_session(), current_actor())
    return respond(PreferencesRead(preferences=prefs))


@endpoint(
    bp,
    "/notifications/preferences",
    method="PUT",
    summary="Set your delivery preferences",
    tag=TAG,
    body=PreferencesIn,
    response=PreferencesRead,
)
def put_notification_preferences(body: PreferencesIn) -> Response:
    """The kinds listed are set; the others keep their setting. Returns every kind."""
    prefs = delivery.save_preferences(get_session(), current_actor(), body)
    return respond(PreferencesRead(preferences=prefs))

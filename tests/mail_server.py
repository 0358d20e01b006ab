"""A real SMTP server for tests (aiosmtpd on 127.0.0.1 and a free port) and helpers to
create notifications directly."""

from __future__ import annotations

import email
import socket
import threading
from datetime import datetime
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from eagov.models import User
from eagov.models.meetings import Action
from eagov.models.org import Person
from eagov.models.reminders import Notification


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.collector = Collector()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.collector.messages

    def config(self) -> dict[str, Any]:
        return {"MAIL_ENABLED": True, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port}


def parts(msg: Message) -> dict[str, str]:
    """The text and html bodies of a multipart/alternative message, decoded."""
    found = {}
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_subtype()] = payload.decode(
                part.get_content_charset() or "utf-8"
            )
    return found


def open_action(session: Session, user: User, due_at: datetime) -> Action:
    """A real, open action owned by ``user`` and due that day: the subject a reminder needs so
    that the reminders service does not cancel it as stale before it is sent."""
    person = session.exec(select(Person).where(Person.user_id == user.id)).first()
    if person is None:
        person = Person(name=user.name, email=user.email, user_id=user.id)
        session.add(person)
        session.flush()
    number = len(session.exec(select(Action.id)).all()) + 1
    action = Action(
        reference=f"ACT-2026-{number:03d}",
        year=2026,
        number=number,
        description=f"Action {number}",
        owner_id=person.id,
        raised_on=due_at.date(),
        due_on=due_at.date(),
    )
    session.add(action)
    session.flush()
    return action


def notify(
    session: Session,
    user: User,
    due_at: datetime,
    *,
    kind: str = "action_due",
    title: str = "Action A-1 is due",
    n: int = 0,
    **values: Any,
) -> Notification:
    """A notification as the reminders sweep makes it, about a real open action."""
    action = open_action(session, user, due_at)
    item = Notification(
        kind=kind,
        subject_type="action",
        subject_id=action.id,  # type: ignore[arg-type]
        occurrence=f"before:{n}:{due_at.date().isoformat()}",
        user_id=user.id,  # type: ignore[arg-type]
        due_at=due_at,
        title=title,
        body=values.pop("body", "Please finish it."),
        link=values.pop("link", f"/actions/{action.id}"),
        **values,
    )
    session.add(item)
    session.commit()
    session.refresh(item)
    return item

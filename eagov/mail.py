"""Sending e-mail over SMTP with the standard library: plain, SSL or STARTTLS, with a login
when a user name is configured. Each notification gets a Message-ID derived from its key, so
a mail that was sent twice (a crash between the server accepting it and our commit) carries
the same Message-ID both times and mail clients and people can tell it is one message."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

# A connection that cannot be made (server down, refused, timed out): give up the whole run
# instead of trying every message against a dead server.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPAuthenticationError,
)


@dataclass
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    key: str  # stable identity: the Message-ID is derived from it
    to_name: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def message_id(key: str, base_url: str) -> str:
    domain = urlsplit(base_url).hostname or "eagov.localhost"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<eagov.{digest}@{domain}>"


def build_message(mail: OutgoingMail, sender: str, base_url: str) -> EmailMessage:
    # Long header lines (the unsubscribe link) stay readable instead of being encoded.
    msg = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    msg["From"] = sender
    msg["To"] = formataddr((mail.to_name, mail.to)) if mail.to_name else mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(mail.key, base_url)
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


class Mailer:
    """One SMTP connection, opened on the first message and reused for the rest of a run."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = str(config.get("SMTP_HOST") or "localhost")
        self.port = int(config.get("SMTP_PORT") or 25)
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD")
        self.use_ssl = bool(config.get("SMTP_SSL"))
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.sender = str(config.get("MAIL_FROM") or "eagov@localhost")
        self.base_url = str(config.get("BASE_URL") or "")
        self.timeout = float(config.get("SMTP_TIMEOUT_SECONDS") or 30)
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=context)
        if self.username:
            smtp.login(str(self.username), str(self.password or ""))
        return smtp

    def send(self, mail: OutgoingMail) -> str:
        """Send one message; returns its Message-ID. Raises smtplib/OS errors."""
        if self._smtp is None:
            self._smtp = self._connect()
        msg = build_message(mail, self.sender, self.base_url)
        self._smtp.send_message(msg)
        return str(msg["Message-ID"])

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

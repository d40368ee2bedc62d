"""E-mail through an SMTP server (the standard library's smtplib and email packages)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from boh.settings import SmtpSettings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (file name, MIME type, content)


def send_all(smtp: SmtpSettings, mails: list[Mail]) -> None:
    """Send ``mails`` over one connection; any SMTP error propagates (the outbox retries the batch)."""
    if not mails or not smtp.host:
        return
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if smtp.ssl:
        conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    else:
        conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with conn:
        if smtp.starttls and not smtp.ssl:
            conn.starttls(context=context)
        if smtp.username:
            conn.login(smtp.username, smtp.password.get_secret_value() if smtp.password else "")
        for mail in mails:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = smtp.from_address, mail.to, mail.subject
            msg.set_content(mail.body)
            for name, mime, content in mail.attachments:
                main, _, sub = mime.partition("/")
                msg.add_attachment(content, maintype=main, subtype=sub or "octet-stream", filename=name)
            conn.send_message(msg)

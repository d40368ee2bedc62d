"""Facts the notify domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from boh.kernel.events import Event


@dataclass(frozen=True)
class NotificationsCreated(Event):
    """Notifications were written; ``email_ids`` are those waiting for an e-mail."""

    topic = "notify.notifications_created"
    kind: str
    email_ids: tuple[int, ...]


@dataclass(frozen=True)
class MailQueued(Event):
    """A mail to an outside address was queued (``notify_mail``): sent after the commit."""

    topic = "notify.mail_queued"
    mail_id: int

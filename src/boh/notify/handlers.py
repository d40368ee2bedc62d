"""Reactions of the notify domain: e-mail the notifications that wait for it (through the outbox, after
the commit that wrote them). Subscribed in bootstrap with the SMTP settings bound."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from boh.http.i18n import translations
from boh.kernel.clock import utcnow
from boh.kernel.events import Event
from boh.kernel.outbox import EventBus, Handler
from boh.kernel.uow import UnitOfWork
from boh.notify.events import MailQueued, NotificationsCreated
from boh.notify.kinds import KINDS
from boh.notify.mail import Mail, send_all
from boh.notify.messages import text
from boh.notify.models import Mail as MailRow
from boh.notify.models import Notification
from boh.org.api import users_for
from boh.settings import Settings, SmtpSettings, get_settings


def _mail(n: Notification, to: str, locale: str, base_url: str) -> Mail:
    body = text(n.message, n.params, locale)
    subject = f"[BOH] {translations(locale).gettext(KINDS.get(n.kind, n.kind))}: {body}"[:180]
    link = f"\n\n{base_url.rstrip('/')}{n.link}" if n.link else ""
    return Mail(to=to, subject=subject, body=body + link)


def send_emails(uow: UnitOfWork, event: Event, *, smtp: SmtpSettings, base_url: str) -> None:
    """Send the pending e-mails of the event, each in its recipient's language; a row already sent (a
    redelivery) is skipped. Without an SMTP host the rows are marked not_configured."""
    assert isinstance(event, NotificationsCreated)
    rows = uow.session.scalars(
        select(Notification)
        .where(
            Notification.tenant_id == event.tenant_id,
            Notification.id.in_(sorted(event.email_ids)),
            Notification.email_status == "pending",
        )
        .order_by(Notification.id)
    ).all()
    if not rows:
        return
    if not smtp.host:
        for n in rows:
            n.email_status = "not_configured"
        return
    people = {u.id: u for u in users_for(uow.session, event.tenant_id, user_ids={n.user_id for n in rows})}
    mails, sent = [], []
    for n in rows:
        person = people.get(n.user_id)
        if person is not None and person.email:
            mails.append(_mail(n, person.email, person.locale, base_url))
            sent.append(n)
    send_all(smtp, mails)
    now = utcnow()
    for n in sent:
        n.email_status, n.email_sent_at = "sent", now


HANDLER = "boh.notify.handlers.send_emails"
MAIL_HANDLER = "boh.notify.handlers.send_mail"


def send_mail(uow: UnitOfWork, event: Event, *, smtp: SmtpSettings) -> None:
    """Send a queued outside mail with its attachment; one already sent (a redelivery) is skipped. Without
    an SMTP host it is marked not_configured."""
    assert isinstance(event, MailQueued)
    row = uow.session.scalars(
        select(MailRow).where(MailRow.tenant_id == event.tenant_id, MailRow.id == event.mail_id,
                              MailRow.status == "pending")
    ).one_or_none()  # fmt: skip
    if row is None:
        return
    if not smtp.host:
        row.status = "not_configured"
        return
    files = ((row.attachment_name or "attachment", row.attachment_type or "application/octet-stream",
              row.attachment),) if row.attachment is not None else ()  # fmt: skip
    send_all(smtp, [Mail(to=row.to_address, subject=row.subject, body=row.body, attachments=files)])
    row.status, row.sent_at = "sent", utcnow()


def email_handler(smtp: SmtpSettings, base_url: str) -> Handler:
    return partial(send_emails, smtp=smtp, base_url=base_url)


def _configured(uow: UnitOfWork, event: Event) -> None:
    settings = get_settings()  # read when an e-mail is due: the process's BOH_SMTP__* settings
    send_emails(uow, event, smtp=settings.smtp, base_url=settings.public_url)


def _configured_mail(uow: UnitOfWork, event: Event) -> None:
    send_mail(uow, event, smtp=get_settings().smtp)


def subscribe(bus: EventBus, settings: Settings | None = None) -> None:
    """The notify domain's subscriptions (from its manifest); ``settings`` fixes the SMTP server (tests)."""
    handler = _configured if settings is None else email_handler(settings.smtp, settings.public_url)
    bus.subscribe(NotificationsCreated.topic, handler, name=HANDLER)
    mail = _configured_mail if settings is None else partial(send_mail, smtp=settings.smtp)
    bus.subscribe(MailQueued.topic, mail, name=MAIL_HANDLER)

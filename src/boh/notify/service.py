"""Use cases of notifications: notify recipients, mark read, subscribe to e-mail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update

from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.notify.errors import NotificationNotFound
from boh.notify.events import MailQueued, NotificationsCreated
from boh.notify.kinds import KINDS
from boh.notify.models import Mail, Notification, Subscription
from boh.org.api import UserContact, users_for


def _email_wanted(uow: UnitOfWork, kind: str, users: list[UserContact], roles: Iterable[str]) -> set[int]:
    """Recipients who get an e-mail: subscribed themselves, or through a role the notification went to."""
    rows = uow.session.execute(
        select(Subscription.user_id, Subscription.role).where(
            Subscription.tenant_id == uow.tenant_id,
            Subscription.channel == "email",
            Subscription.kind.in_([kind, "*"]),
        )
    ).all()
    by_user = {uid for uid, role in rows if uid is not None}
    by_role = {role for uid, role in rows if role is not None} & set(roles)
    role_holders = {u.id for u in users_for(uow.session, uow.tenant_id, roles=by_role)} if by_role else set()
    return {u.id for u in users if u.email and (u.id in by_user or u.id in role_holders)}


def notify(
    uow: UnitOfWork,
    *,
    kind: str,
    message: str,
    params: Mapping[str, Any] | None = None,
    link: str | None = None,
    roles: Iterable[str] = (),
    users: Iterable[int] = (),
    site_id: int | None = None,
    dedupe_key: str | None = None,
) -> list[int]:
    """Tell the users named and the holders of ``roles`` covering ``site_id`` (see org.api.users_for).
    ``message`` is an English msgid marked with N_ where it is written, ``params`` fill its %(name)s
    placeholders. A ``dedupe_key`` already used for a recipient is not told twice. Returns the new ids."""
    if kind not in KINDS:
        raise ValidationFailed([FieldError(("kind",), f"unknown notification kind {kind!r}")])
    roles = tuple(roles)
    recipients = users_for(uow.session, uow.tenant_id, roles=roles, user_ids=users, site_id=site_id)
    if dedupe_key is not None and recipients:
        told = set(
            uow.session.scalars(
                select(Notification.user_id).where(
                    Notification.tenant_id == uow.tenant_id, Notification.dedupe_key == dedupe_key
                )
            )
        )
        recipients = [u for u in recipients if u.id not in told]
    if not recipients:
        return []
    email = _email_wanted(uow, kind, recipients, roles)
    rows = [
        Notification(
            tenant_id=uow.tenant_id, user_id=u.id, site_id=site_id, kind=kind, message=message,
            params=dict(params or {}), link=link, dedupe_key=dedupe_key,
            email_status="pending" if u.id in email else "none",
        )
        for u in recipients
    ]  # fmt: skip
    uow.session.add_all(rows)
    uow.flush()
    pending = tuple(r.id for r in rows if r.email_status == "pending")
    if pending:
        uow.publish(NotificationsCreated(tenant_id=uow.tenant_id, kind=kind, email_ids=pending))
    return [r.id for r in rows]


def _own(uow: UnitOfWork, notification_id: int) -> Notification:
    row = uow.session.get(Notification, notification_id)
    principal = uow.principal
    if row is None or row.tenant_id != uow.tenant_id or principal.kind != "user" or row.user_id != principal.id:
        raise NotificationNotFound(f"notification {notification_id} not found")
    return row


def mark_read(uow: UnitOfWork, notification_id: int) -> None:
    row = _own(uow, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        uow.flush()


def mark_all_read(uow: UnitOfWork) -> int:
    if uow.principal.kind != "user":
        return 0
    result = uow.session.execute(
        update(Notification)
        .where(
            Notification.tenant_id == uow.tenant_id,
            Notification.user_id == uow.principal.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def subscribe(
    uow: UnitOfWork, *, kind: str, user_id: int | None = None, role: str | None = None, on: bool = True
) -> None:
    """Turn e-mail for ``kind`` ("*": all) on or off, for one user or for a role (idempotent)."""
    if (user_id is None) == (role is None):
        raise ValidationFailed([FieldError(("user_id",), "name either a user or a role")])
    if kind != "*" and kind not in KINDS:
        raise ValidationFailed([FieldError(("kind",), f"unknown notification kind {kind!r}")])
    row = uow.session.scalars(
        select(Subscription).where(
            Subscription.tenant_id == uow.tenant_id,
            Subscription.user_id.is_(None) if user_id is None else Subscription.user_id == user_id,
            Subscription.role.is_(None) if role is None else Subscription.role == role,
            Subscription.kind == kind,
            Subscription.channel == "email",
        )
    ).one_or_none()
    if on == (row is not None):
        return  # already so: nothing to write
    if row is None:
        uow.session.add(Subscription(tenant_id=uow.tenant_id, user_id=user_id, role=role, kind=kind))
    else:
        uow.session.delete(row)
    uow.flush()
    uow.audit("notify.subscription." + ("on" if on else "off"), "notify_subscription", f"{user_id or role}:{kind}")


def my_subscriptions(uow: UnitOfWork) -> set[str]:
    if uow.principal.kind != "user":
        return set()
    return set(
        uow.session.scalars(
            select(Subscription.kind).where(
                Subscription.tenant_id == uow.tenant_id,
                Subscription.user_id == uow.principal.id,
                Subscription.channel == "email",
            )
        )
    )


def queue_mail(
    uow: UnitOfWork,
    *,
    to: str,
    subject: str,
    body: str,
    dedupe_key: str,
    attachment: tuple[str, str, bytes] | None = None,
    about: tuple[str, str] | None = None,
) -> int | None:
    """Queue an e-mail to an outside address (a supplier's order desk), already in its reader's language,
    with at most one attachment (file name, MIME type, content). It is written in the caller's transaction
    and sent after the commit through the outbox. The same ``dedupe_key`` queued again is not queued twice
    (returns None); a deliberate resend uses a new key. ``about``: (subject type, id) for the audit trail."""
    to = to.strip()
    if "@" not in to or len(to) > 254:
        raise ValidationFailed([FieldError(("to",), f"not an e-mail address: {to!r}")])
    done = uow.session.scalar(select(Mail.id).where(Mail.tenant_id == uow.tenant_id, Mail.dedupe_key == dedupe_key))
    if done is not None:
        return None
    name, mime, content = attachment if attachment is not None else (None, None, None)
    row = Mail(
        tenant_id=uow.tenant_id, to_address=to, subject=subject[:200], body=body, attachment_name=name,
        attachment_type=mime, attachment=content, dedupe_key=dedupe_key,
        subject_type=about[0] if about else None, subject_id=about[1] if about else None,
        created_by=uow.principal.actor, status="pending",
    )  # fmt: skip
    uow.session.add(row)
    uow.flush()
    after = {"to": to, "subject": row.subject, "attachment": name, "about": list(about) if about else None}
    uow.audit("notify.mail.queue", "notify_mail", row.id, after=after)
    uow.publish(MailQueued(tenant_id=uow.tenant_id, mail_id=row.id))
    return row.id

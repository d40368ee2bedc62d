"""Tables of the notify domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, IdMixin
from boh.kernel.types import UTCDateTime


class Notification(IdMixin, Base):
    """One message to one user. ``message`` is an English msgid with %(name)s placeholders filled from
    ``params`` when it is shown (a param may be {"en": ..., "zh": ...}: the reader's language is used)."""

    __tablename__ = "notify_notification"
    __table_args__ = (
        Index("ix_notify_notification_user_unread", "tenant_id", "user_id", "read_at", "id"),
        UniqueConstraint("tenant_id", "user_id", "dedupe_key"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("org_user.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("org_site.id"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))  # the same fact told twice is one row
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # e-mail: none (not subscribed or no address) | pending | sent | not_configured
    email_status: Mapped[str] = mapped_column(String(16), default="none")
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Subscription(IdMixin, Base):
    """E-mail for a kind ("*": every kind), for one user or for every holder of a role."""

    __tablename__ = "notify_subscription"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "role", "kind", "channel"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("org_user.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mail(IdMixin, Base):
    """An e-mail to an address outside the tenant's users (a supplier's order desk), with its attachments,
    written in the sender's transaction and sent after the commit through the outbox. ``dedupe_key``: the
    same mail queued twice is one row (a resend is a new key, an explicit action of its sender)."""

    __tablename__ = "notify_mail"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment_type: Mapped[str | None] = mapped_column(String(80))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    subject_type: Mapped[str | None] = mapped_column(String(60))  # what it is about: "purchasing_order"
    subject_id: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # pending | sent | not_configured
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

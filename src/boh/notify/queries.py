"""Read side of notifications: a user's list and unread count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.kernel.paging import page
from boh.notify.messages import text
from boh.notify.models import Notification


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    text: str  # in the current request's language
    link: str | None
    created_at: datetime
    read: bool


def unread_count(session: Session, tenant_id: int, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Notification.tenant_id == tenant_id, Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def list_for(
    session: Session, tenant_id: int, user_id: int, *, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[NotificationRow], int]:
    where = [Notification.tenant_id == tenant_id, Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = int(session.scalar(select(func.count()).where(*where)) or 0)
    rows = session.scalars(
        page(select(Notification).where(*where).order_by(Notification.id.desc()), limit, offset)
    ).all()
    return [
        NotificationRow(r.id, r.kind, text(r.message, r.params), r.link, r.created_at, r.read_at is not None)
        for r in rows
    ], total

"""Login sessions: one row per sign-in (boh.org.models.LoginSession). Access tokens name their session
(``sid``) and the authenticator checks it on every request, so ending a session ends its tokens at once,
in every process (there is no cache to invalidate)."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from boh.kernel.clock import utcnow
from boh.org.models import LoginSession, RefreshToken, User


def start(session: Session, user: User) -> str:
    """A new session of ``user``; its id is also the family of the refresh tokens it rotates through."""
    sid = str(uuid.uuid4())
    session.add(LoginSession(id=sid, tenant_id=user.tenant_id, user_id=user.id, created_at=utcnow()))
    return sid


def end(session: Session, sid: str, reason: str) -> None:
    """End one session: its access tokens stop working and its refresh tokens are revoked."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == sid, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    session.execute(update(RefreshToken).where(RefreshToken.family == sid).values(revoked=True))


def end_all(session: Session, user_id: int, reason: str) -> None:
    """End every session of a user (new password, a role taken away, deactivation)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    session.execute(update(RefreshToken).where(RefreshToken.user_id == user_id).values(revoked=True))

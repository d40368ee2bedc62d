"""Read models of floor-event ingestion."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inventory.ingest.models import Alert
from boh.inventory.ingest.schemas import AlertRead
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope


def list_alerts(
    session: Session,
    scope: Scope,
    *,
    site_id: int | None,
    kind: str | None,
    is_open: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[AlertRead], int]:
    """Alerts of the sites the caller may see, newest first."""
    stmt = select(Alert).where(Alert.tenant_id == scope.tenant_id)
    if scope.site_ids is not None:
        stmt = stmt.where(Alert.site_id.in_(sorted(scope.site_ids)))
    if site_id is not None:
        stmt = stmt.where(Alert.site_id == site_id)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    if is_open is not None:
        stmt = stmt.where(Alert.is_open.is_(is_open))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(page(stmt.order_by(Alert.raised_at.desc(), Alert.id.desc()), limit, offset))
    return [AlertRead.model_validate(a) for a in rows], total

"""Background job of stock commitments: release reservations whose expiry has passed (idempotent, one
transaction per reservation)."""

from __future__ import annotations

from typing import Any

from boh.inventory.commitments import repository as repo
from boh.inventory.commitments import service
from boh.kernel.clock import utcnow

BATCH = 500


def expire_reservations(runtime: Any) -> dict[str, int]:
    """Release every open reservation past its ``expires_at`` (not one a document owns: see service.expire)."""
    now = utcnow()
    released = 0
    while True:
        with runtime.session_factory() as session:
            due = repo.due_to_expire(session, now, BATCH)
        for tenant_id, commitment_id in due:
            with runtime.system_uow(tenant_id) as uow:
                if service.expire(uow, commitment_id, now):
                    released += 1
                uow.commit()
        if len(due) < BATCH:
            return {"released": released}

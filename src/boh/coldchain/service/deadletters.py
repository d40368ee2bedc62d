"""Dead letters: list them, and replay them once their cause is fixed (the sensor registered, the device's
clock set, or the reading corrected by a person). A replay runs the reading(s) through the same ingestion
(``readings.ingest``): what is valid now is stored exactly once by its reading_id, so replaying twice, or
replaying a reading that arrived meanwhile, stores nothing twice. A letter whose readings all went in (or
were in already) is ``replayed``; one still refused stays ``open`` with the new reason."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from boh.coldchain.errors import DeadLetterNotFound
from boh.coldchain.models import DeadLetter
from boh.coldchain.schemas import Rejected
from boh.coldchain.service._common import WRITE
from boh.coldchain.service.readings import ingest
from boh.kernel.clock import utcnow
from boh.kernel.paging import page
from boh.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class Replay:
    letter_id: int
    status: str  # replayed | open
    accepted: int
    duplicates: int
    rejected: list[Rejected]
    already: bool = False  # it had been replayed before: nothing was done


def _tenant_wide(uow: UnitOfWork) -> None:
    if uow.principal.scope(WRITE).site_ids is not None:  # letters name no site for sure: tenant-wide users only
        raise DeadLetterNotFound("dead letters are handled by tenant-wide users")


def list_letters(
    uow: UnitOfWork, *, status: str | None = None, code: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[DeadLetter], int]:
    _tenant_wide(uow)
    stmt = select(DeadLetter).where(DeadLetter.tenant_id == uow.tenant_id)
    if status is not None:
        stmt = stmt.where(DeadLetter.status == status)
    if code is not None:
        stmt = stmt.where(DeadLetter.code == code)
    total = uow.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(uow.session.scalars(page(stmt.order_by(DeadLetter.id.desc()), limit, offset)))
    return rows, total


def readings_of(payload: Any) -> list[Any]:
    """The reading(s) a stored payload holds: one reading, or a whole MQTT message (its JSON text)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return [payload]  # still not JSON: ingestion rejects it with its reason
    if isinstance(payload, dict) and isinstance(payload.get("readings"), list):
        return list(payload["readings"])
    return [payload]


def replay(uow: UnitOfWork, letter_id: int, *, corrected: Any | None = None) -> Replay:
    """Replay one dead letter (``corrected``: the fixed reading or message, replacing the stored payload)."""
    _tenant_wide(uow)
    letter = uow.session.scalar(
        select(DeadLetter).where(DeadLetter.tenant_id == uow.tenant_id, DeadLetter.id == letter_id).with_for_update()
    )
    if letter is None:
        raise DeadLetterNotFound(f"dead letter {letter_id} not found")
    if letter.status == "replayed":
        return Replay(letter.id, "replayed", 0, 0, [], already=True)
    before = {"payload": letter.payload, "code": letter.code}
    if corrected is not None:
        letter.payload = json.dumps(corrected, ensure_ascii=True, default=str)
    result = ingest(uow, readings_of(json.loads(letter.payload)), transport=f"replay-{letter.transport}"[:10],
                    dead_letters=False)  # fmt: skip
    letter.attempts += 1
    if result.rejected:
        first = result.rejected[0]
        letter.code, letter.message = first.code[:60], first.message[:500]
    else:
        letter.status, letter.replayed_at, letter.replayed_by = "replayed", utcnow(), uow.principal.actor
    uow.flush()
    uow.audit("coldchain.dead_letter.replay", "coldchain_dead_letter", letter.id, before=before,
              after={"status": letter.status, "accepted": result.accepted, "duplicates": result.duplicates,
                     "rejected": [r.code for r in result.rejected], "corrected": corrected is not None})  # fmt: skip
    return Replay(letter.id, letter.status, result.accepted, result.duplicates, result.rejected)


def replay_many(uow: UnitOfWork, letter_ids: Iterable[int]) -> list[Replay]:
    return [replay(uow, i) for i in sorted(set(letter_ids))]


def open_ids(uow: UnitOfWork, *, code: str | None = None) -> list[int]:
    _tenant_wide(uow)
    stmt = select(DeadLetter.id).where(DeadLetter.tenant_id == uow.tenant_id, DeadLetter.status == "open")
    if code is not None:
        stmt = stmt.where(DeadLetter.code == code)
    return list(uow.session.scalars(stmt.order_by(DeadLetter.id)))

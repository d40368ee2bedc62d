"""Dead letters: floor events rejected for their own content, kept so that nothing a device sent is lost.

Every event the ingestion rejects (by HTTP or MQTT: a validation error, an unknown code, a value the
database cannot store, a sale a site refuses for lack of stock) is stored with its code and reason, and
so is an MQTT message that is not an envelope at all. People list them (API and console), fix what was
wrong (the item's master data, the stock) and replay one (as it was, or corrected), or discard it with a
note. A replay goes through the same ingestion: exactly-once still holds, so replaying an event that was
applied meanwhile changes nothing and closes the letter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from boh.inventory.ingest import resolve
from boh.inventory.ingest.errors import DeadLetterNotFound
from boh.inventory.ingest.models import DeadLetter
from boh.inventory.ingest.schemas import DeadLetterRead, IngestResult, Rejected
from boh.kernel.clock import utcnow
from boh.kernel.paging import page
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

READ = "inventory.stock.read"
WRITE = "inventory.events.write"
WHOLE = -1  # the index of a rejection of the whole payload


def _text(value: Any) -> str:
    """JSON text with every non-ASCII character escaped: a NUL or an unpaired surrogate is kept, as \\u0000."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    return json.dumps(value, ensure_ascii=True, default=str, sort_keys=True)


def _escaped(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    return json.dumps(str(value), ensure_ascii=True)[1:-1][:limit]


def record(
    uow: UnitOfWork, events: Sequence[Any], rejected: Sequence[Rejected], *, transport: str, topic: str | None = None,
    payload: bytes | str | None = None,
) -> list[int]:  # fmt: skip
    """Store each rejected event (``index`` into ``events``; ``WHOLE``: the ``payload`` itself)."""
    codes = {_site_code(events[r.index]) for r in rejected if 0 <= r.index < len(events)}
    sites = resolve.sites(uow.session, uow.tenant_id, {c for c in codes if c})
    rows = []
    for r in rejected:
        raw: Any = events[r.index] if 0 <= r.index < len(events) else _payload_text(payload)
        code = _site_code(raw) if 0 <= r.index < len(events) else None
        site = sites.get(code) if code else None
        rows.append(
            DeadLetter(
                tenant_id=uow.tenant_id, site_id=site.id if site else None, transport=transport,
                topic=_escaped(topic, 200), event_id=_escaped(r.event_id, 200), event=_text(raw), code=r.code[:60],
                message=_escaped(r.message, 500) or "", status="open", attempts=1, received_at=utcnow(),
            )
        )  # fmt: skip
    uow.session.add_all(rows)
    uow.session.flush()
    return [row.id for row in rows]


def _payload_text(payload: bytes | str | None) -> str:
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="backslashreplace")
    return payload or ""


def _site_code(raw: Any) -> str | None:
    if isinstance(raw, BaseModel):
        return getattr(raw, "site", None)
    value = raw.get("site") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and resolve_safe(value) else None


def resolve_safe(code: str) -> bool:
    return 0 < len(code) <= 80 and all(32 <= ord(ch) < 0xD800 and ord(ch) != 127 for ch in code)


# --- reads and commands -----------------------------------------------------------------------------


def _visible(scope: Scope) -> list[Any]:
    where: list[Any] = [DeadLetter.tenant_id == scope.tenant_id]
    if scope.site_ids is not None:
        where.append(DeadLetter.site_id.in_(sorted(scope.site_ids)))
    return where


def list_letters(
    uow: UnitOfWork, *, status: str | None, code: str | None, site_id: int | None, limit: int, offset: int
) -> tuple[list[DeadLetterRead], int, dict[str, int]]:
    """The dead letters the caller may see (newest first), their total, and the open ones per code."""
    scope = uow.principal.scope(READ)
    where = _visible(scope)
    if status:
        where.append(DeadLetter.status == status)
    if code:
        where.append(DeadLetter.code == code)
    if site_id is not None:
        where.append(DeadLetter.site_id == site_id)
    total = uow.session.scalar(select(func.count()).select_from(DeadLetter).where(*where)) or 0
    rows = uow.session.scalars(page(select(DeadLetter).where(*where).order_by(DeadLetter.id.desc()), limit, offset))
    by_code = dict(
        uow.session.execute(
            select(DeadLetter.code, func.count())
            .where(*_visible(scope), DeadLetter.status == "open")
            .group_by(DeadLetter.code)
        ).all()
    )
    return [DeadLetterRead.model_validate(r) for r in rows], int(total), {k: int(v) for k, v in by_code.items()}


def _get(uow: UnitOfWork, scope: Scope, letter_id: int) -> DeadLetter:
    row = uow.session.scalars(
        select(DeadLetter).where(*_visible(scope), DeadLetter.id == letter_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise DeadLetterNotFound(f"dead letter {letter_id} not found")
    return row


def replay(uow: UnitOfWork, letter_id: int, event: dict[str, Any] | None = None) -> tuple[DeadLetter, IngestResult]:
    """Ingest a dead letter's event again (or the corrected ``event``): applied or already applied closes it
    (``replayed``); rejected again keeps it open with the new reason."""
    from boh.inventory.ingest.service import ingest

    scope = uow.principal.scope(WRITE)
    row = _get(uow, scope, letter_id)
    if row.status != "open":
        return row, IngestResult(accepted=0, duplicates=0, rejected=[])
    raw = event if event is not None else _load(row.event)
    result = ingest(uow, [raw], transport="replay", dead_letters=False)
    row.attempts += 1
    if result.rejected:
        again = result.rejected[0]
        row.code, row.message = again.code[:60], _escaped(again.message, 500) or ""
        if event is not None:
            row.event = _text(event)
    else:
        row.status, row.resolved_at, row.resolved_by = "replayed", utcnow(), uow.principal.actor
    uow.flush()
    uow.audit("inventory.dead_letter.replay", "dead_letter", row.id, after={"status": row.status, "code": row.code})
    return row, result


def discard(uow: UnitOfWork, letter_id: int, note: str) -> DeadLetter:
    scope = uow.principal.scope(WRITE)
    row = _get(uow, scope, letter_id)
    if row.status == "open":
        row.status, row.resolved_at, row.resolved_by, row.note = "discarded", utcnow(), uow.principal.actor, note
        uow.flush()
        uow.audit("inventory.dead_letter.discard", "dead_letter", row.id, after={"note": note})
    return row


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a payload that was not JSON: replaying it is rejected again, as it should be

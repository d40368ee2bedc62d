"""The poller and the SSE text of the live balance stream (see the package docstring)."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import anyio
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from boh.catalog.api import item_view
from boh.inventory.commitments.models import CommitmentEntry
from boh.inventory.ledger import rules
from boh.inventory.models import Balance, Lot, Move
from boh.inventory.queries import local_date
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
LOOKBACK_SECONDS = 10.0
ZERO = Decimal(0)

_item = item_view()


@dataclass(frozen=True)
class BalanceEvent:
    site_id: int
    item_id: int
    lot_id: int | None
    sku: str
    lot_code: str | None
    on_hand: Decimal
    reserved: Decimal
    available: Decimal

    def payload(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "item_id": self.item_id,
            "lot_id": self.lot_id,
            "sku": self.sku,
            "lot_code": self.lot_code,
            "on_hand": str(self.on_hand),
            "reserved": str(self.reserved),
            "available": str(self.available),
        }


def last_move_id(session: Session, tenant_id: int, site_id: int) -> int:
    stmt = select(func.max(Move.id)).where(Move.tenant_id == tenant_id, Move.site_id == site_id)
    return int(session.scalar(stmt) or 0)


def last_entry_id(session: Session, tenant_id: int, site_id: int) -> int:
    stmt = select(func.max(CommitmentEntry.id)).where(
        CommitmentEntry.tenant_id == tenant_id, CommitmentEntry.site_id == site_id
    )
    return int(session.scalar(stmt) or 0)


def changed_keys(session: Session, tenant_id: int, site_id: int, after_id: int) -> tuple[list[tuple[int, int]], int]:
    """(item_id, lot_key) pairs of the site's moves with id > after_id, and the highest id among them."""
    rows = session.execute(
        select(Move.item_id, Move.lot_id, func.max(Move.id))
        .where(Move.id > after_id, Move.tenant_id == tenant_id, Move.site_id == site_id)
        .group_by(Move.item_id, Move.lot_id)
    ).all()
    return sorted((int(i), int(k or 0)) for i, k, _m in rows), max((int(m) for *_x, m in rows), default=after_id)


def committed_keys(session: Session, tenant_id: int, site_id: int, after_id: int) -> tuple[list[tuple[int, int]], int]:
    """The same for the site's commitment entries (reservations change ``reserved`` and ``available``)."""
    e = CommitmentEntry
    rows = session.execute(
        select(e.item_id, e.lot_key, func.max(e.id))
        .where(e.tenant_id == tenant_id, e.site_id == site_id, e.id > after_id)
        .group_by(e.item_id, e.lot_key)
    ).all()
    return sorted((int(i), int(k)) for i, k, _m in rows), max((int(m) for *_x, m in rows), default=after_id)


def balances_of(session: Session, scope: Scope, site_id: int, keys: list[tuple[int, int]]) -> list[BalanceEvent]:
    """The current balances of these (item_id, lot_key) pairs at the site."""
    if not keys:
        return []
    site = get_site_ref(session, scope, site_id)
    today = local_date(site.timezone)
    rows = session.execute(
        select(Balance, Lot, _item.c.sku)
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .join(_item, _item.c.id == Balance.item_id)
        .where(
            Balance.tenant_id == scope.tenant_id,
            Balance.site_id == site_id,
            tuple_(Balance.item_id, Balance.lot_key).in_(keys),
        )
        .order_by(Balance.item_id, Balance.lot_key)
    ).all()
    out = []
    for b, lot, sku in rows:
        usable = rules.lot_usable(
            lot.status if lot else None, lot.expiry_date if lot else None, today, lot.on_hold if lot else False
        )
        out.append(
            BalanceEvent(
                site_id=b.site_id,
                item_id=b.item_id,
                lot_id=b.lot_id,
                sku=str(sku),
                lot_code=lot.lot_code if lot else None,
                on_hand=b.on_hand,
                reserved=b.reserved,
                available=b.on_hand - b.reserved if usable else ZERO,
            )
        )
    return out


class _Cursor:
    """The highest id seen of one table and the floor that trails it by the lookback."""

    def __init__(self, start_id: int, lookback: float, clock: Callable[[], float]) -> None:
        self.high, self.lookback, self.clock = start_id, lookback, clock
        self._marks: deque[tuple[float, int]] = deque([(clock(), start_id)])

    @property
    def floor(self) -> int:
        """The highest id seen at least ``lookback`` seconds ago (the oldest mark while younger)."""
        now = self.clock()
        while len(self._marks) > 1 and now - self._marks[1][0] >= self.lookback:
            self._marks.popleft()
        return self._marks[0][1]

    def saw(self, high: int) -> None:
        if high > self.high:
            self.high = high
            self._marks.append((self.clock(), high))


class BalancePoller:
    """The state of one stream: a cursor over the site's moves (its high is the event id) and one over its
    commitment entries (``entry_start``: None = from the latest), and the values sent."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        scope: Scope,
        site_id: int,
        start_id: int,
        *,
        entry_start: int | None = None,
        lookback: float = LOOKBACK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.factory, self.scope, self.site_id = factory, scope, site_id
        self.lookback, self.clock = lookback, clock
        self._moves = _Cursor(start_id, lookback, clock)
        self._entries = _Cursor(entry_start, lookback, clock) if entry_start is not None else None
        self._sent: dict[tuple[int, int | None], tuple[Decimal, Decimal, Decimal]] = {}

    @property
    def high(self) -> int:
        return self._moves.high

    @property
    def cursor(self) -> str:
        """The event id: "<move id>.<entry id>", the highest of each seen (what a reconnect resumes from)."""
        entries = self._entries.high if self._entries is not None else 0
        return f"{self._moves.high}.{entries}"

    @property
    def floor(self) -> int:
        return self._moves.floor

    def poll(self) -> list[BalanceEvent]:
        """Balances changed since the last poll (blocking: run it in a worker thread)."""
        tenant_id = self.scope.tenant_id
        with self.factory() as session:
            if self._entries is None:
                self._entries = _Cursor(last_entry_id(session, tenant_id, self.site_id), self.lookback, self.clock)
            keys, high = changed_keys(session, tenant_id, self.site_id, self._moves.floor)
            held, entry_high = committed_keys(session, tenant_id, self.site_id, self._entries.floor)
            rows = balances_of(session, self.scope, self.site_id, sorted(set(keys) | set(held)))
        self._moves.saw(high)
        self._entries.saw(entry_high)
        out = []
        for row in rows:
            key, value = (row.item_id, row.lot_id), (row.on_hand, row.reserved, row.available)
            if self._sent.get(key) != value:
                self._sent[key] = value
                out.append(row)
        return out


def parse_cursor(text: str) -> tuple[int, int | None]:
    """A stream cursor "<move id>.<entry id>" (or a bare move id): ValueError when it is neither."""
    moves, _, entries = text.strip().partition(".")
    move_id, entry_id = int(moves), int(entries) if entries else None
    if move_id < 0 or (entry_id is not None and entry_id < 0):
        raise ValueError(text)
    return move_id, entry_id


def sse(event: str | None, data: Any = None, event_id: str | None = None, comment: str | None = None) -> str:
    if comment is not None:
        return f": {comment}\n\n"
    lines = [f"event: {event}"] if event else []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


async def stream_events(
    poller: BalancePoller,
    is_disconnected: Callable[[], Awaitable[bool]],
    *,
    poll_seconds: float = POLL_SECONDS,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> AsyncIterator[str]:
    """SSE text: a retry hint, then balance events and heartbeats until the client goes away."""
    yield "retry: 2000\n\n"
    last_beat = time.monotonic()
    while not await is_disconnected():
        for row in await run_in_threadpool(poller.poll):
            yield sse("balance", row.payload(), poller.cursor)
        if time.monotonic() - last_beat >= heartbeat_seconds:
            last_beat = time.monotonic()
            yield sse(None, comment="heartbeat")
        await anyio.sleep(poll_seconds)

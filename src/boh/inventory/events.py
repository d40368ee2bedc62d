"""Facts the inventory domain publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boh.kernel.events import Event


@dataclass(frozen=True)
class StockMoved(Event):
    """One posted batch of moves. ``changes`` has one entry per balance touched: site_id, item_id,
    lot_id, on_hand_delta, in_transit_delta and the resulting on_hand (quantities as decimal strings)."""

    topic = "inventory.stock_moved"
    move_ids: tuple[int, ...]
    changes: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class StockCommitted(Event):
    """A commitment's open quantity changed. ``kind``: reservation | incoming; ``action``: reserve, release,
    fulfil, expire, expect, receive or cancel. ``changes`` has one entry per balance touched: site_id,
    item_id, lot_id, reserved_delta and on_order_delta (decimal strings)."""

    topic = "inventory.stock_committed"
    commitment_id: int
    kind: str
    action: str
    document_type: str
    document_id: str
    changes: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class NegativeStock(Event):
    """A balance went below zero at a site whose policy is ``flag`` (it was at or above zero before the batch
    and is below after it): published once per crossing, not for every further move while it stays below.
    ``move_ids``: the batch's moves of the balance that left it below zero (each marked ``negative``)."""

    topic = "inventory.negative_stock"
    site_id: int
    item_id: int
    lot_id: int | None
    on_hand: Decimal
    move_ids: tuple[int, ...]


@dataclass(frozen=True)
class LotCreated(Event):
    topic = "inventory.lot_created"
    lot_id: int
    item_id: int
    lot_code: str


@dataclass(frozen=True)
class LotStatusChanged(Event):
    """A lot was quarantined (excluded from availability and FEFO) or released."""

    topic = "inventory.lot_status_changed"
    lot_id: int
    item_id: int
    status: str
    reason: str


@dataclass(frozen=True)
class LotsHeld(Event):
    """Lots were put on hold (not available, pickable or sellable): ``source`` recall | quarantine | ..."""

    topic = "inventory.lots_held"
    lot_ids: tuple[int, ...]
    hold_ids: tuple[int, ...]
    source: str
    source_ref: str | None
    reason: str


@dataclass(frozen=True)
class LotHoldReleased(Event):
    """Holds on a lot were released; ``on_hold``: whether another hold still keeps it."""

    topic = "inventory.lot_hold_released"
    lot_id: int
    hold_ids: tuple[int, ...]
    on_hold: bool
    reason: str


@dataclass(frozen=True)
class HeldLotSold(Event):
    """Sales of lots on hold were posted because the tenant's policy is ``flag`` (with ``refuse`` they are
    refused): the recall must reach these sales."""

    topic = "inventory.held_lot_sold"
    move_ids: tuple[int, ...]
    lot_ids: tuple[int, ...]


@dataclass(frozen=True)
class StockBelowReorderPoint(Event):
    """Available stock of an item at a site went from at or above its threshold to below it (the
    assortment's reorder_point, else its safety_stock). Published once per crossing, for replenishment."""

    topic = "inventory.stock_below_reorder_point"
    site_id: int
    item_id: int
    available: Decimal
    threshold: Decimal
    reorder_point: Decimal | None
    safety_stock: Decimal | None

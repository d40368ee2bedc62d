"""The demo's recall drill: a lot the DC received is shipped in part to two stores, then a mock recall of it
was run (nothing blocked), one store confirmed, so the trace explorer and the recall board show a real case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from boh.demo.inventory import opening_moves
from boh.demo.refs import CatalogRefs, OrgRefs
from boh.inventory import api as inventory
from boh.inventory.api import TransferIn
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork
from boh.trace import api as trace


def load_drill(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> str | None:
    """Returns the drill's number (None when the DC has no lot to drill with)."""
    dc = org.site_ids.get(org.dc_code)
    lots = [m for m in opening_moves(seed, org, catalog).get(org.dc_code, []) if m.lot_code and m.quantity >= 6]
    if dc is None or not lots or len(org.store_codes) < 2:
        return None
    move = lots[0]
    assert move.lot_code is not None
    lot_id = inventory.lot_ids_by_code(uow.session, uow.tenant_id, [(move.item_id, move.lot_code)]).get(
        (move.item_id, move.lot_code)
    )
    if lot_id is None:
        return None
    shipped = utcnow() - timedelta(days=2)
    for n, code in enumerate(org.store_codes[:2]):
        out = inventory.transfer(uow, TransferIn(
            from_site_id=dc, to_site_id=org.site_ids[code], item_id=move.item_id, lot_id=lot_id,
            quantity=Decimal(2), idempotency_key=f"demo:drill:ship:{n}", event_at=shipped,
        ))  # fmt: skip
        inventory.receive_transfer(uow, out.id, event_at=shipped + timedelta(hours=4))
    r = trace.start_recall(uow, trace.Origin(lot_ids=(lot_id,)), reason="Quarterly recall drill", mock=True)
    trace.confirm_recall(uow, r.id, org.site_ids[org.store_codes[0]], note="Checked the shelves: lot found, set aside")
    return r.number

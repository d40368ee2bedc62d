"""Release: approved lines become orders through purchasing (``boh.purchasing.api.place_orders``).

One ``OrderRequest`` per line with a quantity (base units, the supplier or the source site, needed by, the
line's unit price and currency, origin "suggestion" + the line id); purchasing groups them into one document
per (kind, site, supplier or source site) in the supplier's currency and terms. All or nothing, idempotent by
key: a retry returns the same orders and marks nothing twice. Lines at zero are closed without an order.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from boh.kernel.uow import UnitOfWork
from boh.purchasing import api as purchasing
from boh.replenishment import models as m

DRAFT_NOTE = "replenishment suggestion"


def release_lines(uow: UnitOfWork, lines: Sequence[m.Line], *, key: str, confirm: bool = True) -> int:
    """Place orders for these approved lines; returns how many lines went on an order. Purchase orders are
    sent (``confirm``); transfers from a DC stay drafts: the DC's stock is shared out fairly across the stores
    by purchasing's allocation, not first come, first served."""
    todo = [ln for ln in lines if ln.status == "approved"]
    for ln in todo:
        if ln.qty <= 0:
            ln.status = "closed"
    todo = sorted((ln for ln in todo if ln.qty > 0), key=lambda ln: ln.id)
    refs: list[str] = []
    for kind, send in (("supplier", confirm), ("site", False)):
        group = [ln for ln in todo if (ln.source == "site") == (kind == "site")]
        if not group:
            continue
        placed = purchasing.place_orders(uow, [_request(ln) for ln in group], confirm=send,
                                         idempotency_key=f"{key}:{kind}")  # fmt: skip
        numbers = sorted({o.number for o in placed})
        refs += numbers
        for ln in group:
            ln.status, ln.order_ref = "ordered", ",".join(numbers)[:60]
    if todo:
        uow.audit("replenishment.release", "replenishment_run", todo[0].run_id,
                  after={"lines": [ln.id for ln in todo], "orders": refs, "confirm": confirm})  # fmt: skip
    return len(todo)


def release_run(uow: UnitOfWork, *, run_id: int, site_id: int | None = None, confirm: bool = True) -> int:
    """Place the approved lines of a run (one site, or every site the caller may review)."""
    from boh.replenishment.service._common import REVIEW

    scope = uow.principal.scope(REVIEW)
    stmt = select(m.Line).where(m.Line.run_id == run_id, m.Line.tenant_id == uow.tenant_id, m.Line.status == "approved")
    if site_id is not None:
        stmt = stmt.where(m.Line.site_id == site_id)
    lines = [
        ln for ln in uow.session.scalars(stmt.order_by(m.Line.id).with_for_update()) if scope.allows_site(ln.site_id)
    ]
    if not lines:
        return 0
    key = f"replenishment:{run_id}:{site_id or 'all'}:{lines[0].id}-{lines[-1].id}:{len(lines)}"
    return release_lines(uow, lines, key=key, confirm=confirm)


def _request(ln: m.Line) -> purchasing.OrderRequest:
    supplier = ln.source != "site"
    return purchasing.OrderRequest(
        site_id=ln.site_id, item_id=ln.item_id, quantity=ln.qty, source="supplier" if supplier else "site",
        supplier_id=ln.supplier_id, from_site_id=ln.from_site_id, needed_by=ln.needed_by,
        unit_price=ln.unit_price if supplier else None, currency=ln.currency if supplier else None,
        origin_type="suggestion", origin_id=str(ln.id), note=DRAFT_NOTE,
    )  # fmt: skip

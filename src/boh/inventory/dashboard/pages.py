"""Pages of the inventory dashboard: its part of the home page (``today_parts``, listed in web/console.py),
and the chain-wide view of one item (every site's stock of it, with totals)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from boh.catalog.api import find_item
from boh.http.deps import UowDep
from boh.http.templating import render
from boh.http.today import TodayPart
from boh.inventory.dashboard import queries
from boh.inventory.dashboard.today import today
from boh.inventory.pages._common import router
from boh.kernel.tenancy import Principal

READ = "inventory.stock.read"
ZERO = Decimal(0)


def today_parts(session: Session, principal: Principal, site_id: int | None) -> list[TodayPart]:
    return today(session, principal, site_id)


@router.get("/chain", perm=READ)
def chain_item(request: Request, uow: UowDep, sku: str = "") -> HTMLResponse:
    """One item across every site the user sees: on hand, reserved, in transit, on order and value."""
    scope = uow.principal.scope(READ)
    found = find_item(uow.session, uow.tenant_id, sku)
    item = found.item if found else None
    rows = queries.item_across_sites(uow.session, scope, item.id) if item else []
    currencies = {r.currency for r in rows}
    totals = {
        k: sum((getattr(r, k) for r in rows), ZERO) for k in ("on_hand", "reserved", "in_transit", "on_order", "value")
    }
    ctx = {
        "sku": sku,
        "item": item,
        "rows": rows,
        "totals": totals,
        "currency": next(iter(currencies)) if len(currencies) == 1 else None,
        "not_found": bool(sku.strip()) and item is None,
    }
    return render(request, "inventory/chain_item.html", ctx)

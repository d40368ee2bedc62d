"""The provisional cost of an item that moves at a site before its first costed inflow there (sold or
counted before the receipt was keyed): the first of
1. the chain's average: the item's value over its quantity at the tenant's other sites with an actual cost,
   in the same currency;
2. the preferred supplier's price per base unit, in the same currency;
3. zero.
Moves valued at it are flagged ``provisional``; the first costed inflow trues them up (valuation.py)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.api import preferred_terms
from boh.inventory.ledger.contract import CostKey
from boh.inventory.ledger.valuation import ACTUAL, money
from boh.inventory.models import ItemCost

ZERO = Decimal(0)


def fallback_costs(session: Session, tenant_id: int, keys: Mapping[CostKey, str]) -> dict[CostKey, Decimal]:
    """A fallback unit cost per (site, item) key (mapped to the site's currency)."""
    out: dict[CostKey, Decimal] = {}
    items = sorted({i for _, i in keys})
    c = ItemCost
    rows = session.execute(
        select(c.item_id, c.site_id, c.currency, c.quantity, c.total_value).where(
            c.tenant_id == tenant_id, c.item_id.in_(items), c.cost_source == ACTUAL, c.quantity > 0
        )
    ).all()
    for (site_id, item_id), currency in keys.items():
        others = [r for r in rows if r.item_id == item_id and r.site_id != site_id and r.currency == currency]
        qty = sum((r.quantity for r in others), ZERO)
        if qty > 0:
            out[(site_id, item_id)] = money(sum((r.total_value for r in others), ZERO) / qty)
            continue
        terms = preferred_terms(session, tenant_id, item_id)
        if terms is not None and terms.currency == currency and terms.purchase_factor > 0:
            out[(site_id, item_id)] = money(terms.price / terms.purchase_factor)
        else:
            out[(site_id, item_id)] = ZERO
    return out

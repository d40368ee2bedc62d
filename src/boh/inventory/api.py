"""Public functions of the inventory domain for the domains above it (orders, replenishment, finance):
small frozen DTOs, never ORM objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.inventory import domain, queries
from boh.inventory.models import Balance, Lot
from boh.inventory.schemas import FefoSuggestion
from boh.kernel.tenancy import Scope
from boh.org.api import get_site_ref

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockLevel:
    item_id: int
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    on_order: Decimal
    available: Decimal  # on_hand - reserved of usable stock (no expired or quarantined lots)

    @property
    def projected(self) -> Decimal:
        """What there will be once what is in transit and on order has arrived."""
        return self.available + self.in_transit + self.on_order


def stock_levels(session: Session, scope: Scope, site_id: int, item_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Stock of these items at one site, summed over lots; items without a balance are absent."""
    site = get_site_ref(session, scope, site_id)
    wanted = sorted(set(item_ids))
    if not wanted:
        return {}
    today = queries.local_date(site.timezone)
    rows = session.execute(
        select(Balance, Lot.status, Lot.expiry_date)
        .outerjoin(Lot, Lot.id == Balance.lot_id)
        .where(Balance.tenant_id == scope.tenant_id, Balance.site_id == site_id, Balance.item_id.in_(wanted))
    ).all()
    sums: dict[int, list[Decimal]] = {}
    for b, status, expiry in rows:
        s = sums.setdefault(b.item_id, [ZERO] * 5)
        usable = domain.lot_usable(status, expiry, today)
        for i, v in enumerate(
            (b.on_hand, b.reserved, b.in_transit, b.on_order, b.on_hand - b.reserved if usable else ZERO)
        ):
            s[i] += v
    return {i: StockLevel(i, *v) for i, v in sums.items()}


def suggest_fefo(session: Session, scope: Scope, site_id: int, item_id: int, quantity: Decimal) -> FefoSuggestion:
    """Lots to pick ``quantity`` from, first expiring first; expired and quarantined lots are skipped."""
    return queries.suggest_fefo(session, scope, site_id, item_id, quantity)

"""Public surface of the kitchen domain for the domains above it (ordering, replenishment, finance):
recipe explosion and costing, and the demand rows a production plan takes (the forecasting domain, when it
lands, hands its forecasts as ``DemandRow``s with ``source="forecast"``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from boh.kitchen import domain
from boh.kitchen.schemas import DemandIn as DemandRow
from boh.kitchen.service.recipes import book

__all__ = ["DemandRow", "explode", "recipe_items"]


def explode(session: Session, tenant_id: int, item_id: int, quantity: Decimal) -> dict[int, Decimal]:
    """Bought quantities (base units, gross of trim) that ``quantity`` of ``item_id`` needs at every level."""
    return domain.explode(book(session, tenant_id), item_id, quantity)


def recipe_items(session: Session, tenant_id: int) -> set[int]:
    """The items that have a published recipe."""
    return set(book(session, tenant_id))

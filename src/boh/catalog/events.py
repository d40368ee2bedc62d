"""Facts the catalog domain publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from dataclasses import dataclass

from boh.kernel.events import Event


@dataclass(frozen=True)
class ItemCreated(Event):
    topic = "catalog.item_created"
    item_id: int
    sku: str
    base_uom: str


@dataclass(frozen=True)
class ItemUpdated(Event):
    """Fields of the item changed; ``changed`` names them ("barcodes" and "uoms" for those lists)."""

    topic = "catalog.item_updated"
    item_id: int
    sku: str
    changed: tuple[str, ...]


@dataclass(frozen=True)
class SupplierItemChanged(Event):
    """A supplier item was created (``created`` true) or its terms changed."""

    topic = "catalog.supplier_item_changed"
    supplier_item_id: int
    supplier_id: int
    item_id: int
    created: bool
    changed: tuple[str, ...]


@dataclass(frozen=True)
class AssortmentChanged(Event):
    """A site started carrying an item (``created`` true) or its parameters at the site changed."""

    topic = "catalog.assortment_changed"
    assortment_id: int
    site_id: int
    item_id: int
    created: bool
    changed: tuple[str, ...]

"""Use cases for site assortments: which site carries which item, with its replenishment parameters.

Site-scoped: a principal changes only the assortment of sites in its ``catalog.assortment.write``
scope; another site is "not found".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from boh.catalog import repository as repo
from boh.catalog.domain import check_stock_levels
from boh.catalog.errors import ItemNotFound
from boh.catalog.events import AssortmentChanged
from boh.catalog.models import Assortment, Item, Supplier, SupplierItem
from boh.catalog.schemas import AssortmentUpdate, AssortmentUpsert
from boh.catalog.service._common import audit_changes, fail, snapshot
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

ASSORTMENT_FIELDS = (
    "active",
    "min_qty",
    "max_qty",
    "reorder_point",
    "safety_stock",
    "preferred_supplier_id",
    "order_multiple",
)
LEVEL_FIELDS = ("min_qty", "max_qty", "reorder_point", "safety_stock", "order_multiple")


def level_errors(values: Mapping[str, Any]) -> dict[str, str]:
    return check_stock_levels(**{k: values.get(k) for k in LEVEL_FIELDS})


def _check(uow: UnitOfWork, item_id: int, values: Mapping[str, Any]) -> None:
    errors: list[tuple[tuple[str | int, ...], str]] = [((k,), v) for k, v in level_errors(values).items()]
    if values.get("active") is None:
        errors.append((("active",), "cannot be empty"))
    supplier_id = values.get("preferred_supplier_id")
    if supplier_id is not None:
        sells = uow.session.scalars(
            select(SupplierItem.id)
            .join(Supplier, Supplier.id == SupplierItem.supplier_id)
            .where(
                Supplier.tenant_id == uow.tenant_id,
                SupplierItem.supplier_id == supplier_id,
                SupplierItem.item_id == item_id,
            )
        ).first()
        if sells is None:
            errors.append((("preferred_supplier_id",), f"supplier {supplier_id} does not sell this item"))
    fail(*errors)


def _item_exists(uow: UnitOfWork, item_id: int) -> None:
    found = uow.session.scalars(select(Item.id).where(Item.id == item_id, Item.tenant_id == uow.tenant_id)).first()
    if found is None:
        raise ItemNotFound(f"item {item_id} not found")


def record_assortment_created(uow: UnitOfWork, row: Assortment) -> None:
    uow.audit(
        "catalog.assortment.create",
        "catalog.assortment",
        row.id,
        after={"site_id": row.site_id, "item_id": row.item_id, **snapshot(row, ASSORTMENT_FIELDS)},
    )
    uow.publish(
        AssortmentChanged(
            tenant_id=row.tenant_id,
            assortment_id=row.id,
            site_id=row.site_id,
            item_id=row.item_id,
            created=True,
            changed=(),
        )
    )


def apply_assortment_changes(uow: UnitOfWork, row: Assortment, changes: Mapping[str, Any]) -> tuple[str, ...]:
    before = snapshot(row, ASSORTMENT_FIELDS)
    for key, value in changes.items():
        setattr(row, key, value)
    changed = audit_changes(
        uow, "catalog.assortment.update", "catalog.assortment", row.id, before, snapshot(row, ASSORTMENT_FIELDS)
    )
    if changed:
        uow.publish(
            AssortmentChanged(
                tenant_id=row.tenant_id,
                assortment_id=row.id,
                site_id=row.site_id,
                item_id=row.item_id,
                created=False,
                changed=changed,
            )
        )
    return changed


def upsert_assortment(uow: UnitOfWork, site_id: int, item_id: int, data: AssortmentUpsert) -> tuple[Assortment, bool]:
    """Set the site's parameters for the item (every field; unset ones become empty). Returns (row, created)."""
    scope = uow.principal.scope("catalog.assortment.write")
    site = get_site_ref(uow.session, scope, site_id)
    _item_exists(uow, item_id)
    values = data.model_dump()
    _check(uow, item_id, values)
    row = repo.find_assortment(uow.session, scope.tenant_id, site.id, item_id, for_update=True)
    if row is None:
        row = Assortment(tenant_id=scope.tenant_id, site_id=site.id, item_id=item_id, **values)
        uow.session.add(row)
        uow.flush()
        record_assortment_created(uow, row)
        return row, True
    apply_assortment_changes(uow, row, values)
    uow.flush()
    return row, False


def update_assortment(uow: UnitOfWork, site_id: int, item_id: int, data: AssortmentUpdate) -> Assortment:
    scope = uow.principal.scope("catalog.assortment.write")
    site = get_site_ref(uow.session, scope, site_id)
    row = repo.get_assortment(uow.session, scope.tenant_id, site.id, item_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    _check(uow, item_id, {**snapshot(row, ASSORTMENT_FIELDS), **changes})
    apply_assortment_changes(uow, row, changes)
    uow.flush()
    return row

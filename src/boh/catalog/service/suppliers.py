"""Use cases for suppliers and supplier items (what a supplier sells, in which unit, on which terms)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from boh.catalog import repository as repo
from boh.catalog.domain import UnitTable, plain_decimal
from boh.catalog.errors import DuplicateCode, DuplicateSupplierItem
from boh.catalog.events import SupplierItemChanged
from boh.catalog.models import Item, Supplier, SupplierItem
from boh.catalog.schemas import SupplierCreate, SupplierItemCreate, SupplierItemUpdate, SupplierUpdate
from boh.catalog.service._common import audit_changes, invalid, snapshot
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork

SUPPLIER_FIELDS = (
    "code", "name", "name_zh", "email", "phone", "order_email", "language", "currency", "payment_terms_days", "active",
)  # fmt: skip
SUPPLIER_ITEM_FIELDS = (
    "supplier_id",
    "item_id",
    "supplier_sku",
    "purchase_uom",
    "price",
    "currency",
    "moq",
    "order_multiple",
    "lead_time_days",
    "order_days",
    "pallet_qty",
    "price_breaks",
    "preferred",
    "valid_from",
    "valid_to",
    "active",
)


def _scope(uow: UnitOfWork) -> Scope:
    return uow.principal.scope("catalog.supplier.write")


def create_supplier(uow: UnitOfWork, data: SupplierCreate) -> Supplier:
    scope = _scope(uow)
    if scope.supplier_id is not None:
        invalid(("code",), "supplier users cannot create suppliers")
    if repo.supplier_by_code(uow.session, scope.tenant_id, data.code) is not None:
        raise DuplicateCode(f"supplier code '{data.code}' is already used", field="code")
    supplier = Supplier(tenant_id=scope.tenant_id, **data.model_dump())
    uow.session.add(supplier)
    uow.flush()
    record_supplier_created(uow, supplier)
    return supplier


def record_supplier_created(uow: UnitOfWork, supplier: Supplier) -> None:
    uow.audit("catalog.supplier.create", "catalog.supplier", supplier.id, after=snapshot(supplier, SUPPLIER_FIELDS))


def apply_supplier_changes(uow: UnitOfWork, supplier: Supplier, changes: Mapping[str, Any]) -> tuple[str, ...]:
    before = snapshot(supplier, SUPPLIER_FIELDS)
    for key, value in changes.items():
        setattr(supplier, key, value)
    return audit_changes(
        uow, "catalog.supplier.update", "catalog.supplier", supplier.id, before, snapshot(supplier, SUPPLIER_FIELDS)
    )


def update_supplier(uow: UnitOfWork, supplier_id: int, data: SupplierUpdate) -> Supplier:
    supplier = repo.get_supplier(uow.session, _scope(uow), supplier_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    apply_supplier_changes(uow, supplier, changes)
    uow.flush()
    return supplier


def breaks_json(breaks: Any) -> list[dict[str, str]]:
    """Price breaks as stored: exact strings, ascending."""
    return [{"min_qty": plain_decimal(b.min_qty), "price": plain_decimal(b.price)} for b in breaks]


def _item(uow: UnitOfWork, item_id: int) -> Item | None:
    return uow.session.scalars(select(Item).where(Item.id == item_id, Item.tenant_id == uow.tenant_id)).first()


def _check_terms(
    uow: UnitOfWork, supplier_id: int, si_id: int | None, table: UnitTable, values: Mapping[str, Any]
) -> None:
    if values.get("purchase_uom") is not None and values["purchase_uom"] not in table.factors:
        invalid(
            ("purchase_uom",),
            f"unit '{values['purchase_uom']}' is not a unit of this item (units: {', '.join(table.units)})",
        )
    sku = values.get("supplier_sku")
    if sku:
        clash = uow.session.scalars(
            select(SupplierItem.id).where(SupplierItem.supplier_id == supplier_id, SupplierItem.supplier_sku == sku)
        ).first()
        if clash is not None and clash != si_id:
            raise DuplicateCode(f"supplier SKU '{sku}' is already used by this supplier", field="supplier_sku")


def clear_other_preferred(uow: UnitOfWork, si: SupplierItem, others: list[SupplierItem] | None = None) -> None:
    """An item has at most one preferred supplier item: marking one clears the others (audited)."""
    if others is None:
        others = repo.preferred_supplier_items(uow.session, si.tenant_id, [si.item_id])
    for other in others:
        if other.id != si.id and other.preferred:
            apply_supplier_item_changes(uow, other, {"preferred": False})


def create_supplier_item(uow: UnitOfWork, supplier_id: int, data: SupplierItemCreate) -> SupplierItem:
    supplier = repo.get_supplier(uow.session, _scope(uow), supplier_id)
    item = _item(uow, data.item_id)
    if item is None:
        invalid(("item_id",), f"item {data.item_id} does not exist")
    if repo.supplier_item_for(uow.session, supplier.id, item.id) is not None:
        raise DuplicateSupplierItem(f"supplier {supplier.code} already has terms for item {item.sku}", field="item_id")
    values = data.model_dump(exclude={"price_breaks"})
    _check_terms(uow, supplier.id, None, repo.unit_table(uow.session, item), values)
    values["currency"] = data.currency or supplier.currency
    si = SupplierItem(
        tenant_id=uow.tenant_id, supplier_id=supplier.id, price_breaks=breaks_json(data.price_breaks), **values
    )
    uow.session.add(si)
    uow.flush()
    record_supplier_item_created(uow, si)
    if si.preferred:
        clear_other_preferred(uow, si)
    uow.flush()
    return si


def record_supplier_item_created(uow: UnitOfWork, si: SupplierItem) -> None:
    uow.audit("catalog.supplier_item.create", "catalog.supplier_item", si.id, after=snapshot(si, SUPPLIER_ITEM_FIELDS))
    uow.publish(
        SupplierItemChanged(
            tenant_id=si.tenant_id,
            supplier_item_id=si.id,
            supplier_id=si.supplier_id,
            item_id=si.item_id,
            created=True,
            changed=(),
        )
    )


def apply_supplier_item_changes(uow: UnitOfWork, si: SupplierItem, changes: Mapping[str, Any]) -> tuple[str, ...]:
    before = snapshot(si, SUPPLIER_ITEM_FIELDS)
    for key, value in changes.items():
        setattr(si, key, value)
    changed = audit_changes(
        uow, "catalog.supplier_item.update", "catalog.supplier_item", si.id, before, snapshot(si, SUPPLIER_ITEM_FIELDS)
    )
    if changed:
        uow.publish(
            SupplierItemChanged(
                tenant_id=si.tenant_id,
                supplier_item_id=si.id,
                supplier_id=si.supplier_id,
                item_id=si.item_id,
                created=False,
                changed=changed,
            )
        )
    return changed


def update_supplier_item(uow: UnitOfWork, supplier_item_id: int, data: SupplierItemUpdate) -> SupplierItem:
    scope = _scope(uow)
    si = repo.get_supplier_item(uow.session, scope, supplier_item_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    if "price_breaks" in changes:
        changes["price_breaks"] = breaks_json(data.price_breaks or [])
    valid_from = changes.get("valid_from", si.valid_from)
    valid_to = changes.get("valid_to", si.valid_to)
    if valid_from and valid_to and valid_to < valid_from:
        invalid(("valid_to",), "valid_to is before valid_from")
    item = _item(uow, si.item_id)
    assert item is not None
    _check_terms(uow, si.supplier_id, si.id, repo.unit_table(uow.session, item), changes)
    apply_supplier_item_changes(uow, si, changes)
    if changes.get("preferred"):
        clear_other_preferred(uow, si)
    uow.flush()
    return si

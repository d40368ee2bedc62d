"""Deterministic catalog factories for tests (plain functions over the real services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog import service
from boh.catalog.models import Assortment, Category, Item, ItemBarcode, ItemUom, Supplier, SupplierItem
from boh.catalog.schemas import (
    AssortmentUpsert,
    BarcodeIn,
    CategoryCreate,
    ItemCreate,
    SupplierCreate,
    SupplierItemCreate,
    UomIn,
)
from boh.kernel.audit import AuditRecord
from boh.kernel.outbox import OutboxRecord
from tests.factories import TenantRef

CATALOG_TABLES = (Category, Item, ItemUom, ItemBarcode, Supplier, SupplierItem, Assortment)


def make_category(rt: Runtime, t: TenantRef, code: str = "FOOD", parent_id: int | None = None) -> int:
    with rt.system_uow(t.id) as uow:
        c = service.create_category(
            uow, CategoryCreate(code=code, name_en=f"Cat {code}", name_zh=f"类{code}", parent_id=parent_id)
        )
        uow.commit()
        return c.id


def make_item(
    rt: Runtime,
    t: TenantRef,
    sku: str = "SKU1",
    *,
    base_uom: str = "each",
    kind: str = "grocery",
    uoms: dict[str, str] | None = None,
    barcodes: list[str | tuple[str, str]] | None = None,
    **extra: Any,
) -> int:
    bcs = [BarcodeIn(code=b) if isinstance(b, str) else BarcodeIn(code=b[0], uom=b[1]) for b in barcodes or []]
    data = ItemCreate(
        sku=sku,
        name_en=f"Item {sku}",
        name_zh=f"商品{sku}",
        kind=kind,
        base_uom=base_uom,  # type: ignore[arg-type]
        uoms=[UomIn(uom=u, factor=Decimal(f)) for u, f in (uoms or {}).items()],
        barcodes=bcs,
        **extra,
    )
    with rt.system_uow(t.id) as uow:
        item = service.create_item(uow, data)
        uow.commit()
        return item.id


def make_supplier(rt: Runtime, t: TenantRef, code: str = "SUP1", **extra: Any) -> int:
    with rt.system_uow(t.id) as uow:
        s = service.create_supplier(uow, SupplierCreate(code=code, name=f"Supplier {code}", **extra))
        uow.commit()
        return s.id


def make_supplier_item(
    rt: Runtime,
    t: TenantRef,
    supplier_id: int,
    item_id: int,
    *,
    purchase_uom: str = "each",
    price: str = "10",
    **extra: Any,
) -> int:
    with rt.system_uow(t.id) as uow:
        si = service.create_supplier_item(
            uow,
            supplier_id,
            SupplierItemCreate(item_id=item_id, purchase_uom=purchase_uom, price=Decimal(price), **extra),
        )
        uow.commit()
        return si.id


def make_assortment(rt: Runtime, t: TenantRef, site_id: int, item_id: int, **values: Any) -> None:
    with rt.system_uow(t.id) as uow:
        service.upsert_assortment(uow, site_id, item_id, AssortmentUpsert(**values))
        uow.commit()


def counts(rt: Runtime) -> dict[str, int]:
    """Rows in every catalog table, the audit chain and the outbox: a fingerprint of 'nothing written'."""
    with rt.session_factory() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in CATALOG_TABLES}
        out["audit"] = s.scalar(select(func.count()).select_from(AuditRecord)) or 0
        out["outbox"] = s.scalar(select(func.count()).select_from(OutboxRecord)) or 0
        return out


def outbox_topics(rt: Runtime) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(OutboxRecord.topic).order_by(OutboxRecord.id)))


def audits(rt: Runtime, action: str) -> list[AuditRecord]:
    with rt.session_factory() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)))

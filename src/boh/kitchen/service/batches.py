"""Production batches: open one for a recipe (it keeps the current version), then record what it really
used and made through ``boh.inventory.api.produce``: ingredient lots issued first expiring first (or the
lots named), the output lot created with its own lot code and expiry and costed from its inputs, by-products
with their cost shares and waste with its reasons, all in one ledger document (``kitchen_batch``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from boh.catalog.api import get_item_ref
from boh.inventory.api import ProductionInput, ProductionOutput, ProductionWaste, produce, traceability_lot_code
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork
from boh.kitchen import domain, models
from boh.kitchen.errors import BatchClosed, BatchNotFound
from boh.kitchen.schemas import BatchCreate, BatchRecord
from boh.kitchen.service import recipes
from boh.org.api import get_site_ref

READ, WRITE = "kitchen.batch.read", "kitchen.batch.write"
DOCUMENT = "kitchen_batch"


def open_batch(uow: UnitOfWork, data: BatchCreate) -> models.Batch:
    scope = uow.principal.scope(WRITE)
    get_site_ref(uow.session, scope, data.site_id)
    v = recipes.current_version(uow.session, uow.tenant_id, data.item_id)
    today = utcnow().date()
    seq = uow.session.scalar(select(func.count(models.Batch.id)).where(models.Batch.tenant_id == uow.tenant_id))
    row = models.Batch(
        tenant_id=uow.tenant_id,
        site_id=data.site_id,
        number=f"B{today:%Y%m%d}-{(seq or 0) + 1:05d}",
        item_id=data.item_id,
        version_id=v.id,
        plan_id=data.plan_id,
        planned_qty=data.planned_qty,
        record={},
    )
    uow.session.add(row)
    uow.flush()
    uow.audit("kitchen.batch.open", "batch", row.id, after={"number": row.number, "version_id": v.id})
    return row


def get(uow: UnitOfWork, batch_id: int, perm: str = READ, *, lock: bool = False) -> models.Batch:
    scope = uow.principal.scope(perm)
    stmt = select(models.Batch).where(models.Batch.id == batch_id, models.Batch.tenant_id == uow.tenant_id)
    row = uow.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if row is None or not scope.allows_site(row.site_id):
        raise BatchNotFound(f"batch {batch_id} not found")
    return row


def record(uow: UnitOfWork, batch_id: int, data: BatchRecord) -> models.Batch:
    """Post the batch (see the module docstring); recording a done batch again with the same key returns it,
    with another key is refused (BatchClosed)."""
    row = get(uow, batch_id, WRITE, lock=True)
    if row.status == "done":
        if row.record.get("idempotency_key") == data.idempotency_key:
            return row
        raise BatchClosed(f"batch {row.number} is already recorded")
    version = recipes.version(uow.session, uow.tenant_id, row.version_id)
    recipe = recipes.to_recipe(row.item_id, version.id, version.definition)
    inputs = (
        [ProductionInput(i.item_id, i.quantity, i.lot_id) for i in data.inputs]
        if data.inputs is not None
        else [ProductionInput(k, v) for k, v in domain.direct_needs(recipe, row.planned_qty).items()]
    )
    item = get_item_ref(uow.session, uow.tenant_id, row.item_id)
    shelf = recipe.shelf_life_days or item.shelf_life_days
    now = utcnow()
    expiry = (now + timedelta(days=shelf)).date() if shelf else None
    # without a code given, the output lot gets a traceability lot code (FSMA 204): SITE-SKU-YYMMDD-NN
    site = get_site_ref(uow.session, uow.principal.scope(WRITE), row.site_id)
    local_day = now.astimezone(ZoneInfo(site.timezone)).date()
    lot_code = data.lot_code or traceability_lot_code(uow.session, uow.tenant_id, site.code, item.sku, local_day)
    by_share = sum((b.cost_share for b in data.by_products), Decimal(0))
    outputs = [ProductionOutput(row.item_id, data.actual_qty, lot_code, expiry, Decimal(1) - by_share)]
    outputs += [
        ProductionOutput(b.item_id, b.quantity, f"{lot_code}-BP{n + 1}", expiry, b.cost_share)
        for n, b in enumerate(data.by_products)
    ]
    result = produce(
        uow,
        site_id=row.site_id,
        inputs=inputs,
        outputs=outputs,
        document_type=DOCUMENT,
        document_id=row.number,
        idempotency_key=f"kitchen:{row.number}",
        event_at=now,
        waste=[ProductionWaste(w.item_id, w.quantity, w.reason_code) for w in data.waste],
    )
    main = result.produced[0]
    row.actual_qty = data.actual_qty
    row.yield_pct = domain.actual_yield_pct(recipe, row.planned_qty, data.actual_qty)
    row.status, row.lot_id, row.lot_code, row.expiry_date = "done", main.lot_id, lot_code, expiry
    row.cost = sum((-m.value for m in result.consumed), Decimal(0))
    row.produced_at, row.produced_by = now, uow.principal.actor
    row.record = {
        "idempotency_key": data.idempotency_key,
        "inputs": [
            {"item_id": m.item_id, "lot_id": m.lot_id, "quantity": str(-m.quantity), "value": str(-m.value)}
            for m in result.consumed
        ],
        "outputs": [
            {"item_id": m.item_id, "lot_id": m.lot_id, "quantity": str(m.quantity), "value": str(m.value)}
            for m in result.produced
        ],
        "waste": [
            {"item_id": m.item_id, "lot_id": m.lot_id, "quantity": str(-m.quantity), "reason_code": m.reason_code}
            for m in result.wasted
        ],
    }
    uow.flush()
    uow.audit(
        "kitchen.batch.record",
        "batch",
        row.id,
        after={"lot_id": row.lot_id, "actual_qty": str(data.actual_qty), "yield_pct": str(row.yield_pct)},
    )
    return row

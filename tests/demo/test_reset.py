"""``boh demo --reset``: removing the DEMO tenant, shown on a small stand-in DEMO tenant (a full load
takes seconds and is covered by test_demo.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.catalog import service
from boh.catalog.schemas import (
    AssortmentUpsert,
    BarcodeIn,
    CategoryCreate,
    ItemCreate,
    SupplierCreate,
    SupplierItemCreate,
    UomIn,
)
from boh.demo.cli import reset_demo
from boh.kernel.audit import AuditRecord, chain_ids, verify_chain
from boh.kernel.outbox import OutboxRecord
from boh.org.models import RefreshToken, RoleAssignment, Tenant, User
from tests.demo.support import cli_app, counts
from tests.factories import TenantRef, login, make_site, make_tenant, make_user


def test_reset_is_refused_on_postgresql_without_yes(runtime: Runtime) -> None:
    if runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite resets without --yes")
    demo = make_tenant(runtime, code="DEMO", name="Demo")
    make_site(runtime, demo, "SH01")
    before = counts(runtime)
    result = CliRunner().invoke(cli_app(runtime), ["demo", "--reset"])
    assert result.exit_code == 1 and "Refusing" in result.output and "--yes" in result.output
    assert counts(runtime) == before


def _catalog(rt: Runtime, tenant: TenantRef, site_id: int) -> None:
    """One category, item, supplier, supplier item and assortment row, through the catalog services."""
    with rt.system_uow(tenant.id) as uow:
        cat = service.create_category(uow, CategoryCreate(code="GROCERY", name_en="Grocery"))
        item = service.create_item(
            uow,
            ItemCreate(
                sku="100001",
                name_en="Rice 5kg",
                category_id=cat.id,
                kind="grocery",
                base_uom="each",
                uoms=[UomIn(uom="case", factor=Decimal(4))],
                barcodes=[BarcodeIn(code="6901234567892")],
            ),
        )
        sup = service.create_supplier(uow, SupplierCreate(code="SUP01", name="Hefeng"))
        service.create_supplier_item(
            uow, sup.id, SupplierItemCreate(item_id=item.id, purchase_uom="case", price=Decimal("150.00"))
        )
        service.upsert_assortment(uow, site_id, item.id, AssortmentUpsert(min_qty=Decimal(2), max_qty=Decimal(9)))
        uow.commit()


def test_removing_the_demo_keeps_other_tenants_and_their_audit_chains(runtime: Runtime, client: TestClient) -> None:
    acme = make_tenant(runtime)
    _catalog(runtime, acme, make_site(runtime, acme, "S001"))
    make_user(runtime, acme, "acme.boss", [("hq_admin", None)])
    demo = make_tenant(runtime, code="DEMO", name="Demo")
    _catalog(runtime, demo, make_site(runtime, demo, "SH01"))
    make_user(runtime, demo, "demo.admin", [("store_manager", "SH01")])
    login(client, "demo.admin")  # a refresh token: a row that points at the tenant's user, not the tenant
    login(client, "acme.boss")
    acme_rows = {name: n // 2 for name, n in counts(runtime).items() if name not in ("audit", "outbox")}

    reset_demo(runtime, yes=True)

    left = counts(runtime)
    assert {name: left[name] for name in acme_rows} == acme_rows  # exactly ACME's half is left
    with runtime.session_factory() as s:
        assert list(s.scalars(select(Tenant.code))) == ["ACME"]
        assert list(s.scalars(select(User.username))) == ["acme.boss"]
        assert s.scalar(select(func.count()).select_from(RoleAssignment)) == 1
        assert s.scalar(select(func.count()).select_from(RefreshToken)) == 1
        assert set(s.scalars(select(OutboxRecord.tenant_id))) == {acme.id}
        assert chain_ids(s) == [0, acme.id]  # the demo's chain went whole; the removal is on chain 0
        for cid in chain_ids(s):
            assert verify_chain(s, cid)[1] is None
        reset = s.scalars(select(AuditRecord).where(AuditRecord.chain_id == 0)).one()
        assert reset.action == "demo.reset" and reset.entity_id == str(demo.id)

    reset_demo(runtime, yes=True)  # nothing left to remove: a no-op, not an error
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.chain_id == 0)) == 1

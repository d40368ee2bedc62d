"""Helpers shared by the demo tests."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog.models import Assortment, Item, ItemBarcode, Supplier, SupplierItem
from boh.demo.cli import register
from boh.kernel.audit import AuditRecord
from boh.kernel.outbox import OutboxRecord
from boh.org.models import ApiKey, Region, Site, Tenant, User


def cli_app(rt: Runtime) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def serve() -> None:  # pragma: no cover - only quickstart calls it
        raise AssertionError("not used")

    register(app, lambda: rt)
    return app


def counts(rt: Runtime) -> dict[str, int]:
    tables = (Tenant, Region, Site, User, ApiKey, Item, ItemBarcode, Supplier, SupplierItem, Assortment)
    with rt.session_factory() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in tables}
        out["audit"] = s.scalar(select(func.count()).select_from(AuditRecord)) or 0
        out["outbox"] = s.scalar(select(func.count()).select_from(OutboxRecord)) or 0
    return out

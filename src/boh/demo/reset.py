"""Removing the demo tenant and everything it owns, so that ``boh demo --reset`` can load it afresh.

Generic over the schema: every table with a ``tenant_id`` loses the tenant's rows, tables without one
lose the rows that point at the tenant's rows (refresh tokens of its users), and the tenant's audit
chain goes with it. Children go before parents (the metadata's dependency order). The removal itself
is recorded on the platform's audit chain (chain 0).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, select

from boh.demo.org import find_demo_tenant
from boh.kernel.db import Base
from boh.kernel.uow import UnitOfWork

PLATFORM_CHAIN = 0


def _delete_rows(uow: UnitOfWork, table: Table, tenant_id: int) -> int:
    if "tenant_id" in table.c:
        stmt = delete(table).where(table.c.tenant_id == tenant_id)
    elif "chain_id" in table.c:  # the audit trail and its head
        stmt = delete(table).where(table.c.chain_id == tenant_id)
    else:
        owned = [fk for fk in table.foreign_keys if "tenant_id" in fk.column.table.c]
        if not owned:
            return 0
        fk = owned[0]
        parent = fk.column.table
        stmt = delete(table).where(fk.parent.in_(select(fk.column).where(parent.c.tenant_id == tenant_id)))
    result = cast(CursorResult[Any], uow.session.execute(stmt))
    return result.rowcount or 0


def purge_demo(uow: UnitOfWork) -> dict[str, int]:
    """Delete the demo tenant's rows from every table; returns rows deleted per table (none: {})."""
    tenant_id = find_demo_tenant(uow)
    if tenant_id is None:
        return {}
    deleted: dict[str, int] = {}
    tenant_table = None
    for table in reversed(Base.metadata.sorted_tables):
        if table.name == "org_tenant":
            tenant_table = table
            continue
        if count := _delete_rows(uow, table, tenant_id):
            deleted[table.name] = count
    assert tenant_table is not None
    uow.session.execute(delete(tenant_table).where(tenant_table.c.id == tenant_id))
    deleted["org_tenant"] = 1
    uow.audit("demo.reset", "tenant", tenant_id, after={"deleted": deleted}, chain_id=PLATFORM_CHAIN)
    return deleted

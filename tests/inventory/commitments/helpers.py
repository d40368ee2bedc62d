"""Helpers of the commitment tests: commands through a system unit of work, balances by key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.commitments import service
from boh.inventory.commitments.schemas import FulfilIn, IncomingIn, ReceiveIn, ReleaseIn, ReservationIn
from boh.inventory.models import Balance
from tests.factories import TenantRef


def reserve(rt: Runtime, t: TenantRef, site: int, item: int, qty: str, key: str, **extra: Any) -> service.Outcome:
    data = ReservationIn(
        site_id=site, item_id=item, quantity=Decimal(qty), document_type="sales_order",
        document_id=extra.pop("document_id", "SO-1"), idempotency_key=key, **extra,
    )  # fmt: skip
    with rt.system_uow(t.id) as uow:
        out = service.reserve(uow, data)
        uow.commit()
        return out


def expect(rt: Runtime, t: TenantRef, site: int, item: int, qty: str, key: str) -> service.Outcome:
    data = IncomingIn(
        site_id=site, item_id=item, quantity=Decimal(qty), document_type="purchase_order", document_id="PO-1",
        idempotency_key=key,
    )  # fmt: skip
    with rt.system_uow(t.id) as uow:
        out = service.expect(uow, data)
        uow.commit()
        return out


def act(rt: Runtime, t: TenantRef, command: str, cid: int, **body: Any) -> service.Outcome:
    model = {"release": ReleaseIn, "cancel": ReleaseIn, "fulfil": FulfilIn, "receive": ReceiveIn}[command]
    with rt.system_uow(t.id) as uow:
        out: service.Outcome = getattr(service, command)(uow, cid, model(**body))
        uow.commit()
        return out


def balances(rt: Runtime, t: TenantRef, site: int, item: int) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """lot_key -> (on_hand, reserved, on_order)."""
    with rt.session_factory() as s:
        rows = s.execute(
            select(Balance.lot_key, Balance.on_hand, Balance.reserved, Balance.on_order).where(
                Balance.tenant_id == t.id, Balance.site_id == site, Balance.item_id == item
            )
        )
        return {lk: (oh, r, oo) for lk, oh, r, oo in rows}

"""Helpers of the ingestion tests: a small world with GTINs, EPCs, events and reads of the tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.catalog.models import ItemBarcode
from boh.inventory.ingest import service
from boh.inventory.ingest.schemas import IngestResult
from boh.inventory.models import Balance, Move
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import make_item, mv, post

COMPANY = "6901234"  # 7-digit GS1 company prefix


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin_for(item_ref: int) -> str:
    """A GTIN-14 (indicator 0) with a valid check digit."""
    body = "0" + COMPANY + f"{item_ref:05d}"
    return body + check_digit(body)


_PARTITION_7 = (5, 24, 20)  # partition, company prefix bits, item reference bits for a 7-digit prefix


def epc_for(gtin14: str, serial: int) -> str:
    """The SGTIN-96 tag hex of a GTIN-14 and a serial (filter 1: point of sale item)."""
    partition, prefix_bits, item_bits = _PARTITION_7
    company = int(gtin14[1:8])
    item_ref = int(gtin14[0] + gtin14[8:13])
    bits = f"{0x30:08b}{1:03b}{partition:03b}{company:0{prefix_bits}b}{item_ref:0{item_bits}b}{serial:038b}"
    assert len(bits) == 96
    return f"{int(bits, 2):024X}"


@dataclass
class Floor:
    tenant: TenantRef
    sh01: int  # negative stock "flag"
    sh02: int  # "flag"
    sh09: int  # "refuse"
    milk: int  # each, GTIN gtin_for(1)
    cheese: int  # kg, GTIN gtin_for(2)
    soap: int  # each, GTIN gtin_for(3)


def add_gtin(rt: Runtime, tenant: TenantRef, item_id: int, gtin: str) -> None:
    with rt.system_uow(tenant.id) as uow:
        uow.session.add(ItemBarcode(tenant_id=tenant.id, item_id=item_id, gtin=gtin, uom=None))
        uow.commit()


def make_floor(rt: Runtime, tenant_code: str = "ACME") -> Floor:
    t = make_tenant(rt, tenant_code)
    f = Floor(
        t,
        make_site(rt, t, "SH01"),
        make_site(rt, t, "SH02"),
        make_site(rt, t, "SH09", negative_stock="refuse"),
        make_item(rt, t, "MILK"),
        make_item(rt, t, "CHEESE", base_uom="kg"),
        make_item(rt, t, "SOAP"),
    )
    for ref, item in ((1, f.milk), (2, f.cheese), (3, f.soap)):
        add_gtin(rt, t, item, gtin_for(ref))
    return f


T0 = "2026-11-25T09:00:00+08:00"
# receipts are dated a day before the floor events: a site that refuses negative stock refuses a sale dated
# before the stock arrived
RECEIVED_AT = datetime.fromisoformat(T0) - timedelta(days=1)


def receive(rt: Runtime, f: Floor, site: int, item: int, qty: str, cost: str = "2.00", key: str = "") -> None:
    move = mv(site, item, "receipt", qty, key or f"rcv-{site}-{item}-{qty}", unit_cost=Decimal(cost))
    post(rt, f.tenant, move.model_copy(update={"event_at": RECEIVED_AT}))


def sale(event_id: str, site: str = "SH01", sku: str | None = "MILK", qty: Any = "1", **extra: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "event_id": event_id,
        "source": "pos:SH01:1",
        "site": site,
        "kind": "sale",
        "qty": qty,
        "occurred_at": T0,
        "receipt_id": "R1",
        "line": 1,
    }
    if sku is not None:
        ev["sku"] = sku
    ev.update(extra)
    return ev


def read(event_id: str, epc: str, zone: str, at: str = T0, site: str = "SH01", **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "source": "rfid:SH01:r1",
        "site": site,
        "kind": "rfid_read",
        "epc": epc,
        "reader": "r1",
        "zone": zone,
        "occurred_at": at,
        **extra,
    }


def ingest(rt: Runtime, f: Floor, events: list[Any], **kw: Any) -> IngestResult:
    with rt.system_uow(f.tenant.id) as uow:
        result = service.ingest(uow, events, **kw)
        uow.commit()
        return result


def on_hand(rt: Runtime, site: int, item: int) -> Decimal:
    with rt.session_factory() as s:
        value = s.scalar(select(func.sum(Balance.on_hand)).where(Balance.site_id == site, Balance.item_id == item))
        return value if value is not None else Decimal(0)


def move_count(rt: Runtime) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(Move)) or 0


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)

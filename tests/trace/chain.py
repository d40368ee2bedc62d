"""A small chain for the trace tests, built through the inventory API like production would: a DC receives
supplier lots, ships them to the central kitchen, which makes sauces, dishes and meals (three recipe
levels) and ships them to two stores that sell and waste them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import api
from boh.inventory.models import Lot
from boh.inventory.schemas import TransferIn
from tests.factories import TenantRef, make_site, make_tenant
from tests.inventory.factories import make_item


@dataclass
class Chain:
    rt: Runtime
    tenant: TenantRef
    dc: int
    kitchen: int
    stores: list[int]
    items: dict[str, int]
    n: int = 0
    clock: datetime = field(default_factory=lambda: datetime(2026, 11, 1, 8, 0, tzinfo=UTC))

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=7)
        self.n += 1
        return self.clock

    def lot(self, item: str, code: str) -> int:
        with self.rt.session_factory() as s:
            return s.scalars(select(Lot.id).where(Lot.tenant_id == self.tenant.id, Lot.lot_code == code,
                                                  Lot.item_id == self.items[item])).one()  # fmt: skip

    def receive(self, item: str, code: str, qty: str, site: int | None = None) -> int:
        at = self.tick()
        with self.rt.system_uow(self.tenant.id) as uow:
            api.post_document(uow, [api.PostingLine(
                index=0, site_id=site or self.dc, item_id=self.items[item], lot_id=None, move_type="receipt",
                quantity=D(qty), unit_cost=D("2.5"), idempotency_key=f"rcv-{self.n}", lot_code=code,
                expiry_date=date(2027, 1, 1) + timedelta(days=self.n), source_type="receipt", source_id=f"RC-{self.n}",
                event_at=at,
            )])  # fmt: skip
            uow.commit()
        return self.lot(item, code)

    def ship(self, lot_id: int, item: str, qty: str, to: int, frm: int | None = None, arrive: bool = True) -> int:
        at = self.tick()
        with self.rt.system_uow(self.tenant.id) as uow:
            out = api.transfer(uow, TransferIn(from_site_id=frm or self.dc, to_site_id=to, item_id=self.items[item],
                                               lot_id=lot_id, quantity=D(qty), idempotency_key=f"tr-{self.n}",
                                               event_at=at))  # fmt: skip
            if arrive:
                api.receive_transfer(uow, out.id, event_at=at + timedelta(minutes=1))
            uow.commit()
        return out.id

    def produce(self, out_item: str, code: str, qty: str, inputs: list[tuple[str, str, int | None]]) -> int:
        at = self.tick()
        with self.rt.system_uow(self.tenant.id) as uow:
            api.produce(
                uow, site_id=self.kitchen,
                inputs=[api.ProductionInput(self.items[i], D(q), lot_id=lot) for i, q, lot in inputs],
                outputs=[api.ProductionOutput(self.items[out_item], D(qty), lot_code=code,
                                              expiry_date=date(2027, 2, 1))],
                document_type="production", document_id=f"B-{self.n}", idempotency_key=f"prod-{self.n}", event_at=at,
            )  # fmt: skip
            uow.commit()
        return self.lot(out_item, code)

    def out(self, kind: str, site: int, item: str, lot_id: int, qty: str) -> None:
        at = self.tick()
        extra = {"reason_code": "expired"} if kind == "waste" else {}
        with self.rt.system_uow(self.tenant.id) as uow:
            api.post_document(uow, [api.PostingLine(
                index=0, site_id=site, item_id=self.items[item], lot_id=lot_id, move_type=kind, quantity=-D(qty),
                idempotency_key=f"{kind}-{self.n}", event_at=at, **extra,  # type: ignore[arg-type]
            )])  # fmt: skip
            uow.commit()


RAW = ("TOMATO", "ONION", "BEEF")
MADE = ("SAUCE", "RAGU", "LASAGNA", "MEAL")  # SAUCE <- tomato+onion; RAGU <- sauce+beef; LASAGNA <- ragu; MEAL


def make_chain(rt: Runtime, code: str = "CHAIN") -> Chain:
    t = make_tenant(rt, code=code)
    dc = make_site(rt, t, "DC01", kind="dc")
    kitchen = make_site(rt, t, "CK01", kind="kitchen")
    stores = [make_site(rt, t, f"S{n:03d}") for n in (1, 2)]
    items = {sku: make_item(rt, t, sku, base_uom="kg") for sku in RAW + MADE}
    return Chain(rt, t, dc, kitchen, stores, items)


@dataclass
class Story:
    """The fixed chain of the example-based tests."""

    c: Chain
    tomato: list[int]  # two supplier lots of tomatoes, both in one sauce batch
    onion: int
    beef: int
    sauce: int
    ragu: int
    lasagna: int
    meal: int
    other_sauce: int  # made from the second tomato lot only


def make_story(rt: Runtime) -> Story:
    c = make_chain(rt)
    t1, t2 = c.receive("TOMATO", "TOM-A", "10"), c.receive("TOMATO", "TOM-B", "10")
    onion, beef = c.receive("ONION", "ONI-A", "5"), c.receive("BEEF", "BEF-A", "8")
    for lot, item, q in ((t1, "TOMATO", "10"), (t2, "TOMATO", "10"), (onion, "ONION", "5"), (beef, "BEEF", "8")):
        c.ship(lot, item, q, c.kitchen)
    # 14 kg of tomatoes: first expiring first = all 10 of TOM-A and 4 of TOM-B (several lots of one input)
    sauce = c.produce("SAUCE", "SAU-1", "12", [("TOMATO", "14", None), ("ONION", "2", onion)])
    other = c.produce("SAUCE", "SAU-2", "5", [("TOMATO", "6", t2)])
    ragu = c.produce("RAGU", "RAG-1", "15", [("SAUCE", "10", sauce), ("BEEF", "6", beef)])
    lasagna = c.produce("LASAGNA", "LAS-1", "20", [("RAGU", "12", ragu)])
    meal = c.produce("MEAL", "MEA-1", "20", [("LASAGNA", "16", lasagna)])
    c.ship(meal, "MEAL", "8", c.stores[0], frm=c.kitchen)
    c.ship(meal, "MEAL", "6", c.stores[1], frm=c.kitchen)
    c.ship(meal, "MEAL", "3", c.stores[1], frm=c.kitchen, arrive=False)  # on its way
    c.out("sale", c.stores[0], "MEAL", meal, "5")
    c.out("waste", c.stores[1], "MEAL", meal, "1")
    return Story(c, [t1, t2], onion, beef, sauce, ragu, lasagna, meal, other)

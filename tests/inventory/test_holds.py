"""Lot holds (recall, quarantine): a held lot is not available, not pickable (FEFO skips it) and not
sellable (a sale of it is refused or flagged per the tenant's policy), on both databases; holds of several
sources stack and the lot is usable again once the last is released."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import api, service
from boh.inventory.errors import LotNotFound
from boh.inventory.models import Lot, Move
from boh.inventory.schemas import SettingsIn
from boh.kernel.errors import ValidationFailed
from boh.kernel.outbox import OutboxRecord
from boh.kernel.tenancy import Scope
from tests.inventory.factories import World, make_world, mv, post
from tests.inventory.ingest.helpers import ingest, make_floor, sale

SOON, LATE = date(2999, 1, 1), date(2999, 6, 1)


def lot_id(rt: Runtime, item: int, code: str) -> int:
    with rt.session_factory() as s:
        return s.scalars(select(Lot.id).where(Lot.item_id == item, Lot.lot_code == code)).one()


def two_lots(rt: Runtime, w: World) -> tuple[int, int]:
    post(rt, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", unit_cost=D(1), lot_code="SOON", expiry_date=SOON))
    post(rt, w.tenant, mv(w.s1, w.item, "receipt", "7", "b", unit_cost=D(1), lot_code="LATE", expiry_date=LATE))
    return lot_id(rt, w.item, "SOON"), lot_id(rt, w.item, "LATE")


def hold(rt: Runtime, w: World, lots: list[int], source: str = "recall", ref: str | None = "R1") -> list[api.Hold]:
    with rt.system_uow(w.tenant.id) as uow:
        out = api.hold_lots(uow, lots, reason="supplier recall", source=source, source_ref=ref)
        uow.commit()
    return out


def release(rt: Runtime, w: World, lot: int, source: str | None = None) -> list[api.Hold]:
    with rt.system_uow(w.tenant.id) as uow:
        left = api.release_lot(uow, lot, reason="cleared", source=source)
        uow.commit()
    return left


def available(rt: Runtime, w: World) -> D:
    with rt.session_factory() as s:
        return api.stock_levels(s, Scope(w.tenant.id), w.s1, [w.item])[w.item].available


def topics(rt: Runtime) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(OutboxRecord.topic).order_by(OutboxRecord.id)))


def policy(rt: Runtime, w: World, value: str) -> None:
    with rt.system_uow(w.tenant.id) as uow:
        service.put_settings(uow, SettingsIn(held_lot_sales=value))  # type: ignore[arg-type]
        uow.commit()


def test_a_held_lot_is_not_available_nor_picked_until_its_last_hold_is_released(runtime: Runtime) -> None:
    w = make_world(runtime)
    soon, _late = two_lots(runtime, w)
    assert available(runtime, w) == D(12)
    made = hold(runtime, w, [soon])
    assert [(h.lot_id, h.source, h.source_ref, h.held_by) for h in made] == [(soon, "recall", "R1", made[0].held_by)]
    assert hold(runtime, w, [soon])[0].id == made[0].id  # a retry holds nothing twice
    hold(runtime, w, [soon], source="quarantine", ref=None)
    assert available(runtime, w) == D(7)
    with runtime.session_factory() as s:
        pick = api.suggest_fefo(s, Scope(w.tenant.id), w.s1, w.item, D(3))
    assert [line.lot_code for line in pick.lines] == ["LATE"]  # FEFO skips the held, earlier-expiring lot
    left = release(runtime, w, soon, source="recall")
    assert [h.source for h in left] == ["quarantine"] and available(runtime, w) == D(7)
    assert release(runtime, w, soon) == [] and available(runtime, w) == D(12)
    assert topics(runtime).count("inventory.lots_held") == 2
    assert topics(runtime).count("inventory.lot_hold_released") == 2
    with runtime.session_factory() as s:
        assert len(api.holds_of(s, w.tenant.id, [soon], open_only=False)) == 2


def test_holding_an_unknown_or_foreign_lot_holds_nothing(runtime: Runtime) -> None:
    w = make_world(runtime)
    other = make_world(runtime, code="OTHER")
    soon, _ = two_lots(runtime, w)
    with pytest.raises(LotNotFound), runtime.system_uow(other.tenant.id) as uow:
        api.hold_lots(uow, [soon], reason="x", source="recall")
    with pytest.raises(LotNotFound), runtime.system_uow(w.tenant.id) as uow:
        api.hold_lots(uow, [soon, 999_999], reason="x", source="recall")
    assert available(runtime, w) == D(12)


def test_a_document_sale_of_a_held_lot_is_refused_or_flagged_per_policy(runtime: Runtime) -> None:
    w = make_world(runtime)
    soon, _ = two_lots(runtime, w)
    hold(runtime, w, [soon])
    with pytest.raises(ValidationFailed) as refused:
        post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-1", "s1", lot_id=soon))
    assert [e.code for e in refused.value.errors] == ["inventory.lot_on_hold"]
    # the stock may still leave as waste (the recall's removal)
    post(runtime, w.tenant, mv(w.s1, w.item, "waste", "-1", "w1", lot_id=soon, reason_code="recall"))
    with pytest.raises(ValidationFailed) as used, runtime.system_uow(w.tenant.id) as uow:
        api.produce(
            uow, site_id=w.s1, inputs=[api.ProductionInput(w.item, D(1), lot_id=soon)],
            outputs=[api.ProductionOutput(w.item2, D(1), lot_code="OUT")], document_type="batch",
            document_id="B1", idempotency_key="b1",
        )  # fmt: skip
    assert [e.code for e in used.value.errors] == ["inventory.lot_on_hold"]
    policy(runtime, w, "flag")
    result = post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-1", "s2", lot_id=soon))
    assert result.moves[0].lot_id == soon
    assert topics(runtime)[-1] == "inventory.held_lot_sold"


def test_a_floor_sale_of_a_held_lot_is_rejected_alone_or_flagged(runtime: Runtime) -> None:
    f = make_floor(runtime)
    for code, qty in (("L1", "5"), ("L2", "5")):
        post(runtime, f.tenant, mv(f.sh01, f.milk, "receipt", qty, f"r-{code}", unit_cost=D(1), lot_code=code,
                                   expiry_date=SOON if code == "L1" else LATE))  # fmt: skip
    l1 = lot_id(runtime, f.milk, "L1")
    w = World(f.tenant, f.sh01, f.sh02, f.sh09, f.milk, f.cheese)
    hold(runtime, w, [l1])
    result = ingest(runtime, f, [sale("e1", lot="L1"), sale("e2", lot="L2"), sale("e3")])
    assert result.accepted == 2 and [(r.index, r.code) for r in result.rejected] == [(0, "inventory.lot_on_hold")]
    with runtime.session_factory() as s:
        lots = set(s.scalars(select(Move.lot_id).where(Move.move_type == "sale")))
    assert lots == {lot_id(runtime, f.milk, "L2")}  # the sale without a lot skipped the held L1 (FEFO)
    policy(runtime, w, "flag")
    result = ingest(runtime, f, [sale("e4", lot="L1")])
    assert result.accepted == 1 and "inventory.held_lot_sold" in topics(runtime)

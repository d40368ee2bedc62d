"""Kitchen use cases on a real database: versioned recipes with exact unit conversion and cycle refusal,
costing at a site, POS depletion through recipes in the sale's transaction, sales without a recipe reported,
theoretical vs actual usage, production batches through the ledger, and a production plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.ingest import service as ingest_service
from boh.inventory.models import Lot, Move
from boh.kernel.errors import ValidationFailed
from boh.kitchen import queries
from boh.kitchen.errors import BatchClosed, RecipeCycle
from boh.kitchen.models import MenuSale, RecipeVersion, UnmappedSale
from boh.kitchen.schemas import BatchCreate, BatchRecord, PlanCreate, RecipeUpdate
from boh.kitchen.service import batches, plans, recipes
from tests.kitchen.helpers import Kitchen, make_kitchen, receive, recipe, standard_recipes

T0 = "2026-11-25T12:00:00+08:00"


@pytest.fixture
def k(runtime: Runtime) -> Kitchen:
    return make_kitchen(runtime)


def _scope(rt: Runtime, k: Kitchen):  # type: ignore[no-untyped-def]
    return rt.system_uow(k.tenant.id).principal.scope("kitchen.recipe.read")


def _sale(event_id: str, sku: str, qty: str = "1", **extra: object) -> dict[str, object]:
    ev = {
        "event_id": event_id,
        "source": "pos:SH01:1",
        "site": "SH01",
        "kind": "sale",
        "sku": sku,
        "qty": qty,
        "occurred_at": T0,
    }
    ev.update(extra)
    return ev


def _ingest(rt: Runtime, k: Kitchen, events: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    with rt.system_uow(k.tenant.id) as uow:
        result = ingest_service.ingest(uow, events)
        uow.commit()
        return result


def _moves(rt: Runtime, site: int) -> dict[int, D]:
    with rt.session_factory() as s:
        rows = s.execute(
            select(Move.item_id, func.sum(Move.quantity))
            .where(Move.site_id == site, Move.move_type == "sale")
            .group_by(Move.item_id)
        )
        return {i: D(q) for i, q in rows}


def test_publish_converts_units_exactly_and_keeps_versions(runtime: Runtime, k: Kitchen) -> None:
    ids = standard_recipes(runtime, k)
    with runtime.system_uow(k.tenant.id) as uow:
        v1 = recipes.current_version(uow.session, k.tenant.id, k.dish)
        assert [D(ln["base_qty"]) for ln in v1.definition["lines"]] == [D("0.6"), D("0.4"), D("0.1")]
        new = {**recipes.get(uow.session, k.tenant.id, ids["dish"]).draft, "yield_qty": "5"}
        recipes.update(uow, ids["dish"], RecipeUpdate.model_validate({"definition": new}))
        v2 = recipes.publish(uow, ids["dish"])
        uow.commit()
        assert (v1.version, v2.version) == (1, 2)
        assert uow.session.get(RecipeVersion, v1.id).definition["yield_base"] == "4"  # the old version is kept


def test_a_cycle_is_refused_at_publish_and_nothing_is_published(runtime: Runtime, k: Kitchen) -> None:
    standard_recipes(runtime, k)
    rid = recipe(
        runtime, k, k.pasta, {"yield_qty": "1", "lines": [{"item_id": k.meal, "quantity": "1"}]}, publish=False
    )
    with runtime.system_uow(k.tenant.id) as uow, pytest.raises(RecipeCycle) as err:
        recipes.publish(uow, rid)
    assert err.value.extra["cycle"] == [k.pasta, k.meal, k.dish, k.pasta]
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RecipeVersion).where(RecipeVersion.item_id == k.pasta)) == 0


def test_bad_units_and_self_use_are_reported_together(runtime: Runtime, k: Kitchen) -> None:
    with runtime.system_uow(k.tenant.id) as uow, pytest.raises(ValidationFailed) as err:
        from boh.kitchen.schemas import RecipeCreate

        recipes.create(
            uow,
            RecipeCreate.model_validate(
                {
                    "item_id": k.sauce,
                    "definition": {
                        "yield_qty": "1",
                        "lines": [
                            {"item_id": k.sauce, "quantity": "1"},
                            {"item_id": k.tomato, "quantity": "1", "uom": "box"},
                        ],
                    },
                }
            ),
        )
    assert [e.loc for e in err.value.errors] == [("lines", 0, "item_id"), ("lines", 1, "uom")]


def test_card_costs_from_moving_averages_with_allergens_and_what_if(runtime: Runtime, k: Kitchen) -> None:
    ids = standard_recipes(runtime, k)
    receive(runtime, k, k.store, k.tomato, "10", "3.00")
    receive(runtime, k, k.store, k.oil, "2", "10.00")
    receive(runtime, k, k.store, k.pasta, "5", "2.50")
    receive(runtime, k, k.store, k.cheese, "1", "20.00")
    with runtime.system_uow(k.tenant.id) as uow:
        scope = uow.principal.scope("kitchen.recipe.read")
        c = queries.card(uow.session, scope, ids["meal"], k.store)
        # one meal: dish/4 -> sauce 0.15 kg (tomato 0.15, oil 0.0075), pasta 0.1, cheese 0.025 + 0.02
        assert c.cost == D("0.4500") + D("0.0750") + D("0.2500") + D("0.9000")
        assert c.allergens == ["eggs", "gluten", "milk"]
        assert c.unpriced == []
        w = queries.what_if(uow.session, scope, ids["meal"], k.store, {k.cheese: D(40)})
        assert (w.before, w.after, w.delta) == (D("1.6750"), D("2.5750"), D("0.9000"))


def test_pos_sales_deplete_through_recipes_in_the_same_transaction(runtime: Runtime, k: Kitchen) -> None:
    standard_recipes(runtime, k)
    result = _ingest(
        runtime,
        k,
        [
            _sale("m1", "MEAL", "2"),
            _sale("d1", "DISH", "1"),
            _sale("s1", "SODA", "3"),
            _sale("m2", "MEAL", "1", modifiers=[{"sku": "SODA"}]),
            _sale("s2", "SAUCE", "0.5"),
        ],
    )
    assert (result.accepted, result.rejected) == (5, [])
    # meals and dish: 4 dishes = 0.6 kg sauce (made ahead: it leaves stock, not its tomatoes), 0.4 kg pasta;
    # the sauce sold as itself (a stocked recipe: 0.5 kg), neither tallied nor reported
    assert _moves(runtime, k.store) == {
        k.sauce: D("-1.1"),
        k.pasta: D("-0.4"),
        k.cheese: D("-0.16"),
        k.soda: D("-3"),
    }
    with runtime.session_factory() as s:
        sold = {(r.item_id, r.quantity) for r in s.scalars(select(MenuSale))}
        assert sold == {(k.meal, D(3)), (k.dish, D(1))}
        missing = {(r.item_id, r.role, r.events, r.quantity) for r in s.scalars(select(UnmappedSale))}
        assert missing == {(k.soda, "item", 1, D(3)), (k.soda, "modifier", 1, D(1))}
    again = _ingest(runtime, k, [_sale("m1", "MEAL", "2")])  # a replay changes nothing
    assert again.duplicates == 1 and _moves(runtime, k.store)[k.sauce] == D("-1.1")


def test_a_refused_sale_leaves_no_component_moves_nor_tallies(runtime: Runtime, k: Kitchen) -> None:
    from tests.factories import make_site

    strict = make_site(runtime, k.tenant, "SH09", negative_stock="refuse")
    standard_recipes(runtime, k)
    receive(runtime, k, strict, k.sauce, "1", "5.00")
    receive(runtime, k, strict, k.pasta, "1", "2.00")
    result = _ingest(runtime, k, [_sale("x1", "DISH", "4", site="SH09")])  # no cheese there
    assert [r.code for r in result.rejected] == ["inventory.insufficient_stock"]
    assert _moves(runtime, strict) == {}
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(MenuSale)) == 0


def test_usage_compares_theoretical_with_actual_and_values_the_variance(runtime: Runtime, k: Kitchen) -> None:
    standard_recipes(runtime, k)
    receive(runtime, k, k.store, k.pasta, "5", "2.50")
    receive(runtime, k, k.store, k.sauce, "2", "4.00")
    receive(runtime, k, k.store, k.cheese, "1", "20.00")
    _ingest(runtime, k, [_sale("d1", "DISH", "8")])  # theory: pasta 0.8, sauce 1.2, cheese 0.2
    from tests.inventory.factories import mv, post

    post(
        runtime,
        k.tenant,
        mv(k.store, k.pasta, "waste", "-0.5", "w1", reason_code="spoiled").model_copy(
            update={"event_at": __import__("datetime").datetime.fromisoformat(T0)}
        ),
    )
    with runtime.system_uow(k.tenant.id) as uow:
        rows = queries.usage(
            uow.session, uow.principal.scope("kitchen.usage.read"), k.store, date(2026, 11, 25), date(2026, 11, 25)
        )
    by = {r.item_id: r for r in rows}
    assert (by[k.pasta].theoretical, by[k.pasta].actual, by[k.pasta].variance) == (D("0.8"), D("1.3"), D("0.5"))
    assert by[k.pasta].variance_value == D("1.2500")
    assert by[k.sauce].variance == 0 and by[k.cheese].variance == 0
    assert rows[0].item_id == k.pasta  # the largest loss first


def test_a_batch_issues_fefo_makes_a_costed_lot_with_by_product_and_waste(runtime: Runtime, k: Kitchen) -> None:
    standard_recipes(runtime, k)
    receive(runtime, k, k.ck, k.tomato, "3", "2.00", key="t-old", lot_code="T-OLD", expiry_date=date(2027, 1, 1))
    receive(runtime, k, k.ck, k.tomato, "5", "4.00", key="t-new", lot_code="T-NEW", expiry_date=date(2027, 1, 9))
    receive(runtime, k, k.ck, k.oil, "1", "10.00")
    with runtime.system_uow(k.tenant.id) as uow:
        b = batches.open_batch(uow, BatchCreate(site_id=k.ck, item_id=k.sauce, planned_qty=D(4)))
        uow.commit()
        row = batches.record(
            uow,
            b.id,
            BatchRecord.model_validate(
                {
                    "actual_qty": "3.8",
                    "idempotency_key": "rec-1",
                    "by_products": [{"item_id": k.peel, "quantity": "0.5", "cost_share": "0.1"}],
                    "waste": [{"item_id": k.oil, "quantity": "0.05", "reason_code": "spilt"}],
                }
            ),
        )
        uow.commit()
        # planned 4 kg: tomato 4 kg gross (3 from the first expiring lot, 1 from the next), oil 0.2 L
        taken = sorted(
            (i["lot_id"] is not None, i["quantity"]) for i in row.record["inputs"] if i["item_id"] == k.tomato
        )
        assert [D(q) for _, q in taken] == [D(1), D(3)]
        assert row.cost == D("4") * D("3.25") + D("0.2") * 10  # at the moving average (3.25 a kg of tomato)
        assert (row.status, row.yield_pct) == ("done", D("95.00"))
        # its output lot carries a traceability lot code (FSMA 204) of the kitchen's local production day
        day = row.produced_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
        assert row.lot_code == f"CK01-SAUCE-{day:%y%m%d}-01"
        lot = uow.session.get(Lot, row.lot_id)
        assert lot is not None and lot.item_id == k.sauce and lot.expiry_date is not None
        outs = {o["item_id"]: D(o["value"]) for o in row.record["outputs"]}
        assert outs == {k.sauce: D("13.5"), k.peel: D("1.5")}  # the peel carries its 10 % share
        assert row.record["waste"][0]["reason_code"] == "spilt"
        assert (
            batches.record(uow, b.id, BatchRecord.model_validate({"actual_qty": "3.8", "idempotency_key": "rec-1"}))
            is row
        )
        with pytest.raises(BatchClosed):
            batches.record(uow, b.id, BatchRecord.model_validate({"actual_qty": "1", "idempotency_key": "rec-2"}))
        v = recipes.current_version(uow.session, k.tenant.id, k.sauce)
        assert row.version_id == v.id


def test_plan_nets_stock_and_names_a_capacity_conflict(runtime: Runtime, k: Kitchen) -> None:
    standard_recipes(runtime, k)
    receive(runtime, k, k.ck, k.sauce, "1", "5.00")
    demand = [{"item_id": k.sauce, "delivery_date": "2026-11-27", "quantity": "9"}]
    with runtime.system_uow(k.tenant.id) as uow:
        ok = plans.create(
            uow,
            PlanCreate.model_validate(
                {"site_id": k.ck, "start": "2026-11-23", "capacity": {"prep": 480}, "demand": demand}
            ),
        )
        assert ok.status == "optimal"
        # 9 kg due on the 26th, 1 kg in stock: 8 kg in 4 batches of 2 kg, the day before delivery
        assert [(ln["day"], ln["batches"], ln["quantity"]) for ln in ok.lines] == [("2026-11-26", 4, "8")]
        bad = plans.create(
            uow,
            PlanCreate.model_validate(
                {"site_id": k.ck, "start": "2026-11-26", "capacity": {"prep": 60}, "demand": demand}
            ),
        )
        assert bad.status == "infeasible"
        assert bad.conflicts == ["capacity of station prep on 2026-11-26 (60 min)", "demand of SAUCE due 2026-11-26"]


def test_a_chain_without_recipes_still_reports_dishes_and_modifiers(runtime: Runtime, k: Kitchen) -> None:
    # no recipe at all: every sale is posted as itself, and what is sold as a dish or a modifier is reported
    result = _ingest(
        runtime,
        k,
        [
            _sale("d1", "DISH", "2"),
            _sale("t1", "TOMATO", "1", modifiers=[{"sku": "SODA"}]),
            _sale("t2", "TOMATO", "1"),
        ],
    )
    assert (result.accepted, result.rejected) == (3, [])
    assert _moves(runtime, k.store) == {k.dish: D("-2"), k.tomato: D("-2")}
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(MenuSale)) == 0
        missing = {(r.item_id, r.role, r.events, r.quantity) for r in s.scalars(select(UnmappedSale))}
        assert missing == {(k.dish, "item", 1, D(2)), (k.soda, "modifier", 1, D(1))}


def test_the_recipe_book_is_read_once_per_batch(runtime: Runtime, k: Kitchen) -> None:
    from sqlalchemy import event

    standard_recipes(runtime, k)
    reads: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "kitchen_recipe_version" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        result = _ingest(runtime, k, [_sale("m1", "MEAL", "1"), _sale("s1", "SODA", "1"), _sale("t1", "TOMATO")])
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert (result.accepted, len(reads)) == (3, 1)
    assert _moves(runtime, k.store)[k.cheese] == D("-0.045")  # the meal still depleted: 25 g + 20 g of cheese

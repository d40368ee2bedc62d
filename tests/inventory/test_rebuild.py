"""``boh inventory rebuild``: balances recomputed from the moves (GROUP BY) and compared or repaired."""

from __future__ import annotations

from decimal import Decimal as D

import typer
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from boh.bootstrap import Runtime
from boh.inventory import cli, service
from boh.inventory.models import ItemCost
from boh.inventory.rebuild import rebuild_check
from boh.inventory.schemas import TransferIn
from tests.inventory.factories import make_lot, make_world, mv, post


def _app(rt: Runtime) -> typer.Typer:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a second command so that "inventory" stays a sub-command
    cli.register(app, lambda: rt)
    return app


def _seed(rt: Runtime) -> tuple[int, int, int]:
    w = make_world(rt)
    lot = make_lot(rt, w.tenant, w.item, "L1", None)
    post(
        rt,
        w.tenant,
        mv(w.s1, w.item, "receipt", "10", "a"),
        mv(w.s1, w.item, "receipt", "4", "b", lot_id=lot),
        mv(w.s1, w.item, "sale", "-1.5", "c"),
    )
    with rt.system_uow(w.tenant.id) as uow:
        service.transfer(
            uow, TransferIn(from_site_id=w.s1, to_site_id=w.s2, item_id=w.item, quantity=D("2"), idempotency_key="t")
        )
        uow.commit()
    return w.tenant.id, w.s1, w.s2


def test_check_is_clean_then_finds_a_corrupted_row_and_rebuild_repairs_it(runtime: Runtime) -> None:
    tid, s1, s2 = _seed(runtime)
    runner = CliRunner()
    ok = runner.invoke(_app(runtime), ["inventory", "rebuild", "--check", "--tenant", "ACME"])
    assert ok.exit_code == 0, ok.output
    assert "0 difference(s) found" in ok.output
    seven = 7 if runtime.engine.dialect.name == "postgresql" else 7_000_000  # SQLite stores scaled integers
    with runtime.engine.begin() as conn:  # corrupt the projection behind the ledger's back
        conn.execute(
            text("UPDATE inventory_balance SET on_hand = on_hand + :d WHERE site_id = :s AND lot_id IS NULL"),
            {"d": seven, "s": s1},
        )
        conn.execute(text("DELETE FROM inventory_balance WHERE site_id = :s"), {"s": s2})
    with runtime.session_factory() as s:
        diffs = rebuild_check(s, tid)
    assert [(d.site_id, d.field, d.recorded, d.expected) for d in diffs] == [
        (s1, "on_hand", D("13.5"), D("6.5")),
        (s2, "in_transit", D(0), D(2)),
    ]
    bad = runner.invoke(_app(runtime), ["inventory", "rebuild", "--check", "--tenant", "ACME"])
    assert bad.exit_code == 1 and "2 difference(s) found" in bad.output
    fixed = runner.invoke(_app(runtime), ["inventory", "rebuild", "--tenant", "ACME"])
    assert fixed.exit_code == 0 and "2 difference(s) repaired" in fixed.output
    with runtime.session_factory() as s:
        assert rebuild_check(s, tid) == []
        assert s.scalar(text("SELECT count(*) FROM inventory_balance WHERE site_id = :s"), {"s": s2}) == 1


def test_unknown_tenant_is_a_clean_error(runtime: Runtime) -> None:
    r = CliRunner().invoke(_app(runtime), ["inventory", "rebuild", "--check", "--tenant", "NOPE"])
    assert r.exit_code == 2 and "tenant 'NOPE' not found" in r.output


def test_check_reports_moves_and_claims_whose_references_do_not_exist(runtime: Runtime) -> None:
    """The move and claim tables carry no foreign keys (speed): the check proves their references."""
    _tid, s1, _s2 = _seed(runtime)
    runner = CliRunner()
    with runtime.engine.begin() as conn:
        move_id = conn.scalar(text("SELECT min(id) FROM inventory_move WHERE site_id = :s"), {"s": s1})
        conn.execute(text("UPDATE inventory_move SET item_id = 999999 WHERE id = :m"), {"m": move_id})
        conn.execute(
            text(
                "INSERT INTO inventory_ingested_event (tenant_id, source, event_id, kind, site_id, transport, "
                "occurred_at, ingested_at) SELECT tenant_id, 'pos:x', 'e1', 'sale', 888888, 'http', "
                "recorded_at, recorded_at FROM inventory_move WHERE id = :m"
            ),
            {"m": move_id},
        )
    bad = runner.invoke(_app(runtime), ["inventory", "rebuild", "--check", "--tenant", "ACME"])
    assert bad.exit_code == 1, bad.output
    assert f"move {move_id}: item_id 999999 does not exist" in bad.output
    assert "event claim pos:x:e1: site_id 888888 does not exist" in bad.output
    assert "2 broken reference(s)" in bad.output


def test_cost_rows_must_spread_their_value_over_the_on_hand_and_rebuild_realigns_them(runtime: Runtime) -> None:
    w = make_world(runtime)
    post(
        runtime,
        w.tenant,
        mv(w.s1, w.item, "receipt", "10", "a", unit_cost=D("2.5")),
        mv(w.s1, w.item, "sale", "-4", "b"),
    )
    with runtime.session_factory() as s:
        assert rebuild_check(s, w.tenant.id) == []
    with runtime.session_factory() as s, s.begin():
        s.execute(update(ItemCost).where(ItemCost.site_id == w.s1).values(quantity=D(9), total_value=D("22.5")))
    with runtime.session_factory() as s:
        diffs = rebuild_check(s, w.tenant.id)
    assert [(d.site_id, d.item_id, d.field, d.recorded, d.expected) for d in diffs] == [
        (w.s1, w.item, "cost_quantity", D(9), D(6)),
        (w.s1, w.item, "cost_value", D("22.5"), D(15)),  # the sum of the moves' values: 25 - 10
    ]
    fixed = CliRunner().invoke(_app(runtime), ["inventory", "rebuild", "--tenant", "ACME"])
    assert fixed.exit_code == 0 and "2 difference(s) repaired" in fixed.output
    with runtime.session_factory() as s:
        assert rebuild_check(s, w.tenant.id) == []
        cost = s.scalars(select(ItemCost).where(ItemCost.site_id == w.s1)).one()
        assert (cost.quantity, cost.avg_unit_cost, cost.total_value) == (D(6), D("2.5"), D("15"))

"""Lot genealogy from the ledger: one-up/one-down and full traces forward and backward through three recipe
levels, with a batch made from several lots of one ingredient (the case where a peer's report shows one
input lot of several), positions per site (on hand, sold, in transit), and a property test against a
brute-force walk of the ledger on random chains."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.bootstrap import Runtime
from boh.inventory.ledger.store import posted_move
from boh.inventory.models import Balance, Move
from boh.trace.genealogy import Trace, trace
from boh.trace.source import LedgerSource
from tests.trace.chain import RAW, make_chain, make_story


def run(rt: Runtime, tenant_id: int, roots: list[int], direction: str, depth: int | None = None):  # type: ignore[no-untyped-def]
    with rt.session_factory() as s:
        return trace(LedgerSource(s, tenant_id), roots, direction, depth)  # type: ignore[arg-type]


class Walk:
    """The ledger without its one-statement neighbourhood: the level-by-level walk (two queries a level)."""

    def __init__(self, src: LedgerSource) -> None:
        self.lot_moves, self.batch_moves = src.lot_moves, src.batch_moves


def as_loaded(s: Session, t: Trace, tenant_id: int) -> None:
    """Every move of a trace is the ORM's move, to the representation (Decimal places, UTC times): the ledger
    source reads rows without the column types on PostgreSQL."""
    rows = s.scalars(select(Move).where(Move.tenant_id == tenant_id).order_by(Move.id)).all()
    by_id = {m.id: posted_move(m) for m in rows}
    for lot, moves in t.moves.items():
        assert repr(moves) == repr([m for m in by_id.values() if m.lot_id == lot])
    assert repr(t.untracked) == repr([by_id[m.id] for m in t.untracked])


def same_one_level(rt: Runtime, tenant_id: int, roots: list[int]) -> None:
    """A one-up/one-down trace from the one-statement neighbourhood is the level-by-level walk's, whole:
    lots and levels, edges with quantities, every move, untracked inputs, completeness."""
    with rt.session_factory() as s:
        for way in ("forward", "backward"):
            fast = trace(LedgerSource(s, tenant_id), roots, way, 1)  # type: ignore[arg-type]
            slow = trace(Walk(LedgerSource(s, tenant_id)), roots, way, 1)  # type: ignore[arg-type]
            assert (fast.depth, fast.edges, fast.moves, fast.untracked, fast.complete) == (
                slow.depth, slow.edges, slow.moves, slow.untracked, slow.complete
            )  # fmt: skip
            assert fast.positions() == slow.positions()
            as_loaded(s, fast, tenant_id)


def test_one_down_of_a_sauce_shows_every_tomato_lot_it_was_made_from(runtime: Runtime) -> None:
    st_ = make_story(runtime)
    t = run(runtime, st_.c.tenant.id, [st_.sauce], "backward", 1)
    assert t.lots == {st_.sauce, *st_.tomato, st_.onion}
    consumed = {e.parent: e.consumed for e in t.edges}
    assert consumed == {st_.tomato[0]: D(10), st_.tomato[1]: D(4), st_.onion: D(2)}
    assert not t.complete or t.depth[st_.tomato[0]] == 1


def test_full_traces_cross_three_recipe_levels_both_ways(runtime: Runtime) -> None:
    s = make_story(runtime)
    back = run(runtime, s.c.tenant.id, [s.meal], "backward")
    assert back.lots == {s.meal, s.lasagna, s.ragu, s.sauce, s.beef, s.onion, *s.tomato}
    assert back.depth[s.tomato[0]] == 4 and back.complete
    fwd = run(runtime, s.c.tenant.id, [s.tomato[1]], "forward")
    assert fwd.lots == {s.tomato[1], s.sauce, s.other_sauce, s.ragu, s.lasagna, s.meal}
    one_up = run(runtime, s.c.tenant.id, [s.tomato[1]], "forward", 1)
    assert one_up.lots == {s.tomato[1], s.sauce, s.other_sauce} and not one_up.complete
    for lots in ([s.tomato[1]], [s.sauce], [s.ragu, s.onion], [s.meal], list(s.tomato)):
        same_one_level(runtime, s.c.tenant.id, lots)
    # the onion went into the sauce only: its forward trace does not pick up the tomatoes (co-inputs)
    assert run(runtime, s.c.tenant.id, [s.onion], "forward").lots == {s.onion, s.sauce, s.ragu, s.lasagna, s.meal}


def test_positions_show_on_hand_sold_wasted_and_in_transit_per_site(runtime: Runtime) -> None:
    s = make_story(runtime)
    t = run(runtime, s.c.tenant.id, [s.meal], "forward", 0)
    pos = {p.site_id: p for p in t.positions() if p.lot_id == s.meal}
    kitchen, s1, s2 = pos[s.c.kitchen], pos[s.c.stores[0]], pos[s.c.stores[1]]
    assert (kitchen.produced, kitchen.transferred_out, kitchen.on_hand) == (D(20), D(17), D(3))
    assert (s1.transferred_in, s1.sold, s1.on_hand) == (D(8), D(5), D(3))
    assert (s2.transferred_in, s2.wasted, s2.on_hand, s2.in_transit) == (D(6), D(1), D(5), D(3))


# --- property: traces equal a brute-force walk of the ledger ------------------------------------------------

tenants = count()

op = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(RAW), st.integers(1, 3)),
    st.tuples(st.just("produce"), st.integers(0, 3), st.lists(st.integers(0, 99), min_size=1, max_size=3),
              st.booleans()),
    st.tuples(st.just("ship"), st.integers(0, 99), st.integers(0, 1)),
    st.tuples(st.just("sell"), st.integers(0, 99)),
)  # fmt: skip

LEVEL_INPUTS = {0: RAW, 1: ("SAUCE", *RAW), 2: ("RAGU", "SAUCE"), 3: ("LASAGNA", "RAGU")}
LEVEL_OUTPUT = {0: "SAUCE", 1: "RAGU", 2: "LASAGNA", 3: "MEAL"}


def build(rt: Runtime, ops: list[tuple]) -> tuple[int, list[int]]:  # type: ignore[type-arg]
    c = make_chain(rt, code=f"P{next(tenants)}")
    lots: list[tuple[str, int]] = []  # (item, lot id), all at the kitchen once made or shipped there
    for item in RAW + RAW:  # two supplier lots of each ingredient to start with
        lots.append((item, c.receive(item, f"L{c.n}", "2", site=c.kitchen)))
    for o in ops:
        if o[0] == "receive":
            lot = c.receive(o[1], f"L{c.n}", str(o[2]), site=c.kitchen)
            lots.append((o[1], lot))
        elif o[0] == "produce":
            level, picks, fefo = o[1], o[2], o[3]
            candidates = [(i, lot) for i, lot in lots if i in LEVEL_INPUTS[level]]
            if not candidates:
                continue
            chosen = {candidates[p % len(candidates)] for p in picks}
            # first expiring first over 3 units spans several lots of one ingredient (and may run short: a
            # consumption without a lot, an untracked input)
            inputs = (
                [(item, "3", None) for item in sorted({i for i, _ in chosen})]
                if fefo
                else [(item, "1", lot) for item, lot in sorted(chosen)]
            )
            out = LEVEL_OUTPUT[level]
            lots.append((out, c.produce(out, f"O{c.n}", "3", inputs)))
        elif o[0] == "ship" and lots:
            item, lot = lots[o[1] % len(lots)]
            c.ship(lot, item, "1", c.stores[o[2]], frm=c.kitchen)
        elif o[0] == "sell" and lots:
            item, lot = lots[o[1] % len(lots)]
            c.out("sale", c.kitchen, item, lot, "1")
    return c.tenant.id, [lot for _, lot in lots]


def brute(rt: Runtime, tenant_id: int) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """children and parents of every lot, from every production move of the tenant."""
    with rt.session_factory() as s:
        moves = s.scalars(select(Move).where(Move.tenant_id == tenant_id)).all()
    batches: dict[tuple[str | None, str | None], list[Move]] = defaultdict(list)
    for m in moves:
        if m.move_type in ("production_consume", "production_output"):
            batches[(m.source_type, m.source_id)].append(m)
    children: dict[int, set[int]] = defaultdict(set)
    parents: dict[int, set[int]] = defaultdict(set)
    for group in batches.values():
        ins = {m.lot_id for m in group if m.move_type == "production_consume" and m.lot_id}
        outs = {m.lot_id for m in group if m.move_type == "production_output" and m.lot_id}
        for i in ins:
            for o in outs:
                children[i].add(o)
                parents[o].add(i)
    return children, parents


def closure(start: int, links: dict[int, set[int]]) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for n in links.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=4, max_size=14))
def test_traces_equal_a_brute_force_walk_of_the_ledger(runtime: Runtime, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    tenant_id, lots = build(runtime, ops)
    children, parents = brute(runtime, tenant_id)
    with runtime.session_factory() as s:
        balances = {(b.lot_id, b.site_id): b.on_hand for b in s.scalars(select(Balance).where(
            Balance.tenant_id == tenant_id, Balance.lot_id.is_not(None)))}  # fmt: skip
    for lot in lots:
        fwd, back = run(runtime, tenant_id, [lot], "forward"), run(runtime, tenant_id, [lot], "backward")
        with runtime.session_factory() as s:
            as_loaded(s, fwd, tenant_id)
            as_loaded(s, back, tenant_id)
        assert fwd.lots == closure(lot, children)
        assert back.lots == closure(lot, parents)
        assert run(runtime, tenant_id, [lot], "forward", 1).lots == {lot} | children.get(lot, set())
        assert run(runtime, tenant_id, [lot], "backward", 1).lots == {lot} | parents.get(lot, set())
        same_one_level(runtime, tenant_id, [lot])
        assert {(e.parent, e.child) for e in back.edges} == {(p, c) for c in back.lots for p in parents.get(c, set())}
        for p in fwd.positions():
            assert p.on_hand == balances.get((p.lot_id, p.site_id), D(0))

"""Lot genealogy from the ledger's moves (no I/O of its own: a ``Source`` gives the moves).

A lot moves between sites with its own id (receipt, transfers, sales, waste: its *positions*); production
turns lots into other lots: the ``production_consume`` moves of a batch (one per lot taken, so a batch
made from several lots of one ingredient has one move per lot) are the inputs of the lots its
``production_output`` moves make. Tracing walks these links level by level, one query for the frontier's
moves and one for their batches per level: ``depth=1`` is one-up (forward: what was made from the lot) or
one-down (backward: what it was made from), ``depth=None`` the full trace. Consumption without a lot is
reported as an *untracked input* (a gap in the chain), never dropped silently."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from boh.inventory.api import PostedMove

ZERO = Decimal(0)
BatchRef = tuple[str, str]
Direction = Literal["forward", "backward"]
CONSUME, OUTPUT = "production_consume", "production_output"


class Source(Protocol):
    def lot_moves(self, lot_ids: Iterable[int]) -> list[PostedMove]: ...

    def batch_moves(self, refs: Iterable[BatchRef]) -> list[PostedMove]: ...


@dataclass(frozen=True, slots=True)
class Edge:
    """Lot ``parent`` went into lot ``child`` in one batch at ``site_id``: ``consumed`` of the parent was
    used, ``made`` of the child was made by the batch."""

    parent: int
    child: int
    batch: BatchRef
    site_id: int
    consumed: Decimal
    made: Decimal
    at: datetime


@dataclass
class Position:
    """What happened to one lot at one site (base units, positive)."""

    lot_id: int
    site_id: int
    received: Decimal = ZERO
    produced: Decimal = ZERO
    transferred_in: Decimal = ZERO
    transferred_out: Decimal = ZERO
    sold: Decimal = ZERO
    wasted: Decimal = ZERO
    consumed: Decimal = ZERO
    adjusted: Decimal = ZERO  # signed: counts, adjustments, returns
    on_hand: Decimal = ZERO
    in_transit: Decimal = ZERO  # shipped to this site, not received yet
    first_at: datetime | None = None
    last_at: datetime | None = None


@dataclass
class Trace:
    root: tuple[int, ...]
    direction: Direction
    depth: dict[int, int]  # lot id -> level (0: the roots)
    edges: list[Edge]
    moves: dict[int, list[PostedMove]]  # lot id -> its moves (every site)
    untracked: list[PostedMove] = field(default_factory=list)  # batch inputs consumed without a lot
    complete: bool = True  # False when the depth limit stopped the walk with links left

    @property
    def lots(self) -> set[int]:
        return set(self.depth)

    def positions(self) -> list[Position]:
        """One position per (lot, site) the lot was at or is on its way to, by lot and site."""
        out: dict[tuple[int, int], Position] = {}
        for lot_id, moves in self.moves.items():
            received = {m.source_id for m in moves if m.move_type == "transfer_in"}
            for m in moves:
                p = out.setdefault((lot_id, m.site_id), Position(lot_id, m.site_id))
                _apply(p, m)
                if m.move_type == "transfer_out" and m.counter_site_id is not None and str(m.id) not in received:
                    dest = out.setdefault((lot_id, m.counter_site_id), Position(lot_id, m.counter_site_id))
                    dest.in_transit += -m.quantity
        return [out[k] for k in sorted(out)]

    def neighbours(self, lot_id: int) -> tuple[set[int], set[int]]:
        """(parents, children) of a lot among the edges found."""
        parents = {e.parent for e in self.edges if e.child == lot_id}
        children = {e.child for e in self.edges if e.parent == lot_id}
        return parents, children


def _apply(p: Position, m: PostedMove) -> None:
    q = m.quantity
    p.on_hand += q
    kind = m.move_type
    if kind == "receipt":
        p.received += q
    elif kind == OUTPUT:
        p.produced += q
    elif kind == "transfer_in":
        p.transferred_in += q
    elif kind == "transfer_out":
        p.transferred_out -= q
    elif kind == "sale":
        p.sold -= q
    elif kind == "waste":
        p.wasted -= q
    elif kind == CONSUME:
        p.consumed -= q
    elif q:
        p.adjusted += q
    p.first_at = m.event_at if p.first_at is None else min(p.first_at, m.event_at)
    p.last_at = m.event_at if p.last_at is None else max(p.last_at, m.event_at)


def _ref(m: PostedMove) -> BatchRef | None:
    if m.move_type in (CONSUME, OUTPUT) and m.source_type is not None and m.source_id is not None:
        return (m.source_type, m.source_id)
    return None


def _link(
    group: list[PostedMove], ref: BatchRef, direction: Direction, levels: dict[int, int],
    edges: dict[tuple[int, int, BatchRef], Edge], untracked: dict[int, PostedMove],
) -> tuple[list[PostedMove], list[PostedMove]]:  # fmt: skip
    """The edges of one batch on the traced path (forward: from traced inputs; backward: to traced outputs)
    and its lot-less inputs; returns the batch's inputs and outputs."""
    ins = [m for m in group if m.move_type == CONSUME]
    outs = [m for m in group if m.move_type == OUTPUT]
    for m in ins:
        if m.lot_id is None:
            untracked[m.id] = m
    for i in ins:
        for o in outs:
            if i.lot_id is None or o.lot_id is None:
                continue
            if (i.lot_id if direction == "forward" else o.lot_id) not in levels:
                continue  # a co-input (forward) or a by-product (backward): not on this path
            key = (i.lot_id, o.lot_id, ref)
            e = edges.get(key)
            if e is None:
                edges[key] = Edge(i.lot_id, o.lot_id, ref, o.site_id, -i.quantity, o.quantity, o.event_at)
            else:  # several parts of one input lot in one batch
                edges[key] = Edge(e.parent, e.child, ref, e.site_id, e.consumed - i.quantity, e.made, e.at)
    return ins, outs


def _batches(source: Source, refs: set[BatchRef]) -> dict[BatchRef, list[PostedMove]]:
    by_batch: dict[BatchRef, list[PostedMove]] = defaultdict(list)
    if refs:
        for m in source.batch_moves(refs):
            ref = _ref(m)
            if ref is not None:
                by_batch[ref].append(m)
    return by_batch


def _result(
    start: tuple[int, ...], direction: Direction, levels: dict[int, int], moves: dict[int, list[PostedMove]],
    edges: dict[tuple[int, int, BatchRef], Edge], untracked: dict[int, PostedMove], complete: bool,
) -> Trace:  # fmt: skip
    return Trace(
        start, direction, levels, sorted(edges.values(), key=lambda e: (e.at, e.parent, e.child)),
        {k: sorted(v, key=lambda m: m.id) for k, v in moves.items()}, sorted(untracked.values(), key=lambda m: m.id),
        complete,
    )  # fmt: skip


def _one_level(
    start: tuple[int, ...], direction: Direction, parts: tuple[list[PostedMove], ...],
    moves: dict[int, list[PostedMove]], edges: dict[tuple[int, int, BatchRef], Edge], untracked: dict[int, PostedMove],
) -> Trace:  # fmt: skip
    """A one-up/one-down trace from a source's neighbourhood (the roots' moves, their batches' moves on the
    traced side, the moves of the lots across those batches: one round trip): the same result as the
    level-by-level walk with ``depth=1``."""
    side = CONSUME if direction == "forward" else OUTPUT
    own, batch, across = parts
    levels = {lot: 0 for lot in start}
    for m in own:
        if m.lot_id is not None:
            moves[m.lot_id].append(m)
    seen = {r for m in own if m.move_type == side and (r := _ref(m)) is not None}
    by_batch: dict[BatchRef, list[PostedMove]] = defaultdict(list)
    for m in batch:
        ref = _ref(m)
        if ref is not None:
            by_batch[ref].append(m)
    for ref, group in by_batch.items():
        ins, outs = _link(group, ref, direction, levels, edges, untracked)
        for m in outs if direction == "forward" else ins:
            if m.lot_id is not None and m.lot_id not in levels:
                levels[m.lot_id] = 1
    for m in across:
        if m.lot_id is not None and m.lot_id in levels and levels[m.lot_id] == 1:
            moves[m.lot_id].append(m)
    complete = not any(m.move_type == side and _ref(m) not in seen for m in across if m.lot_id in levels)
    return _result(start, direction, levels, moves, edges, untracked, complete)


def trace(source: Source, roots: Iterable[int], direction: Direction, depth: int | None = None) -> Trace:
    """The genealogy of ``roots`` forward (what was made from them) or backward (what they were made
    from), ``depth`` levels deep (None: all); every lot found comes with its moves. A full trace from a
    source that can give the closure at once (one recursive query) takes three queries whatever its depth;
    otherwise the walk goes level by level (two queries a level)."""
    start = tuple(sorted(set(roots)))
    moves: dict[int, list[PostedMove]] = defaultdict(list)
    edges: dict[tuple[int, int, BatchRef], Edge] = {}
    untracked: dict[int, PostedMove] = {}
    side = CONSUME if direction == "forward" else OUTPUT
    closure = getattr(source, "closure", None)
    if depth is None and closure is not None and start:
        levels = {lot: 0 for lot in start} | closure(start, direction)
        for m in source.lot_moves(levels):
            if m.lot_id is not None:
                moves[m.lot_id].append(m)
        refs = {r for ms in moves.values() for m in ms if m.move_type == side and (r := _ref(m)) is not None}
        for ref, group in _batches(source, refs).items():
            _link(group, ref, direction, levels, edges, untracked)
        return _result(start, direction, levels, moves, edges, untracked, True)
    near = getattr(source, "neighbourhood", None)
    if depth == 1 and near is not None and start:
        return _one_level(start, direction, near(start, direction), moves, edges, untracked)
    levels = {lot: 0 for lot in start}
    frontier = list(start)
    seen_batches: set[BatchRef] = set()
    level = 0
    complete = True
    while frontier:
        fetched = source.lot_moves(frontier)
        for m in fetched:
            if m.lot_id is not None:
                moves[m.lot_id].append(m)
        if depth is not None and level >= depth:
            complete = not any(m.move_type == side and _ref(m) not in seen_batches for m in fetched)
            break
        refs = {r for m in fetched if m.move_type == side and (r := _ref(m)) is not None} - seen_batches
        seen_batches |= refs
        nxt: set[int] = set()
        for ref, group in _batches(source, refs).items():
            ins, outs = _link(group, ref, direction, levels, edges, untracked)
            for m in outs if direction == "forward" else ins:
                if m.lot_id is not None and m.lot_id not in levels:
                    levels[m.lot_id] = level + 1
                    nxt.add(m.lot_id)
        frontier = sorted(nxt)
        level += 1
    return _result(start, direction, levels, moves, edges, untracked, complete)

"""The central kitchen's production plan, solved with OR-Tools CP-SAT (pure: data in, plan out, no I/O).

Quantities are integers in each item's planning unit (the service scales base quantities). For every made
item ``i`` and day ``d`` the model chooses a number of batches ``b[i,d]`` (``batch_size`` each, at most
``max_batches`` a day). Consumption of ``i`` on day ``d`` is its external demand (stores' orders and
forecasts, due ``lead_days`` before their delivery day) plus what its parents' production of that day
uses. A batch makes up to ``batch_size`` (a pot, a tray: a smaller batch takes the same minutes) so the
quantity made ``q[i,d]`` is at most ``batch_size * b[i,d]``.
Constraints, each under a named enforcement literal so that an infeasible plan can say which one fails:

- ``demand:<item>:<day>``: stock + WIP + production up to ``d`` covers consumption up to ``d``;
- ``capacity:<station>:<day>``: the station's minutes of that day hold the batches' minutes;
- ``shelf_life:<item>``: what is in stock at the end of a day is used within the item's shelf life (FIFO:
  no more than the consumption of the next ``shelf_life - 1`` days; windows reaching past the horizon are
  left open, since the next week's demand is unknown; the stock on hand at the start may be kept).

Objective: produce as late as allowed: minimise the unit-days held in stock (the sum over items and days of
the stock at the end of the day, the stock on hand at the start included, so the objective's floor is what
that stock costs until it is used), plus an optional cost per production run of an item on a day
(``setup_cost``: fewer, larger runs). The bound and the gap come from the solver (``gap = (objective - bound)
/ objective``).

What makes the gap small (bench/production.py, bench/README.md):

- the bound: echelon rounding cuts (``_echelon_cuts``). Without them the relaxation makes fractions of
  batches (0.3 of a sauce's pot on its day), sees no station overloaded and proves only what the stock on
  hand costs; the cuts make a batch fewer than the need cost stock held from the day before;
- the plan: a start (``_start``) that relieves the overloaded station days of the plan made on its days, one
  last batch at a time moved to an earlier day with free minutes, the cheapest in unit-days per minute
  first, its components following, then postpones what is still made ahead; checked feasible, it is the
  solver's first plan. On two workers both search the LP (their dives improve plans; LNS hardly does here).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ortools.sat.python import cp_model

_BIG = 10**9


@dataclass(frozen=True)
class PlanItem:
    item_id: int
    station: str | None  # None: bought, not made here (not planned; its needs are reported)
    batch_size: int = 1
    minutes_per_batch: int = 0
    max_batches: int = 50  # per day
    shelf_life_days: int | None = None
    components: tuple[tuple[int, int], ...] = ()  # (component item, planning units per batch)
    stock: int = 0  # usable on hand at the start
    wip: Mapping[int, int] = field(default_factory=dict)  # day -> quantity finishing that day
    setup_cost: int = 0  # per production run (item x day), in the objective's unit-days; 0: none
    name: str = ""


@dataclass(frozen=True)
class DemandRow:
    """What the stores need of an item delivered on a day (orders and forecasts alike)."""

    item_id: int
    day: int  # delivery day index in the horizon
    quantity: int
    store: str | None = None
    source: str = "order"  # order | forecast


@dataclass(frozen=True)
class PlanLine:
    item_id: int
    day: int
    batches: int
    quantity: int
    station: str | None
    minutes: int


@dataclass
class PlanResult:
    status: str  # optimal | feasible | infeasible | unknown
    lines: list[PlanLine]
    objective: float | None
    bound: float | None
    first_feasible_s: float | None
    solve_s: float
    conflicts: list[str] = field(default_factory=list)  # named constraints that together make it infeasible
    progress: list[tuple[float, float | None, float | None]] = field(default_factory=list)  # (s, objective, bound)
    start_s: float | None = None  # when the solver's start (the heuristics' plan) was ready, if it is feasible

    @property
    def gap_pct(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) * 100 / abs(self.objective)


class _Progress(cp_model.CpSolverSolutionCallback):
    """When the first plan came, and every better plan and bound on the way: (seconds, objective, bound)."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None
        self.trace: list[tuple[float, float | None, float | None]] = []

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.started
        if self.first is None:
            self.first = now
        self.trace.append((now, self.objective_value, self.best_objective_bound))

    def on_bound(self, bound: float) -> None:
        self.trace.append((time.perf_counter() - self.started, None, bound))


@dataclass
class _Model:
    model: cp_model.CpModel
    batches: dict[tuple[int, int], cp_model.IntVar]
    made: dict[tuple[int, int], cp_model.IntVar]
    needs: dict[tuple[int, int, int], cp_model.IntVar]  # (component, parent, day) -> units used
    demand: dict[tuple[int, int], int]
    runs: dict[tuple[int, int], cp_model.IntVar]
    inventory: dict[tuple[int, int], cp_model.IntVar]  # (item, day) -> stock at the end of the day
    literals: dict[str, cp_model.IntVar]


def _consumption(
    m: cp_model.CpModel,
    needs: dict[tuple[int, int, int], cp_model.IntVar],
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    made: Mapping[tuple[int, int], cp_model.IntVar],
    days: int,
) -> dict[int, list[Any]]:
    """Per item and day: external demand plus what the parents' production of that day uses. Components are
    given per full batch; a partial batch uses its share rounded up (``need = ceil(per * q / batch_size)``)."""
    out: dict[int, list[Any]] = {i: [demand.get((i, d), 0) for d in range(days)] for i in items}
    for parent in items.values():
        bs = parent.batch_size
        for comp, per in parent.components:
            if comp not in out:
                continue
            for d in range(days):
                q = made[(parent.item_id, d)]
                if bs == 1:
                    out[comp][d] = out[comp][d] + per * q
                    continue
                need = m.new_int_var(0, per * parent.max_batches, f"n_{comp}_{parent.item_id}_{d}")
                needs[(comp, parent.item_id, d)] = need
                m.add(bs * need >= per * q)
                m.add(bs * need <= per * q + bs - 1)
                out[comp][d] = out[comp][d] + need
    return out


def _build(
    items: Mapping[int, PlanItem],
    demand_rows: Sequence[DemandRow],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    lead_days: int,
) -> _Model:
    m = cp_model.CpModel()
    demand: dict[tuple[int, int], int] = {}
    for r in demand_rows:
        due = max(r.day - lead_days, 0)
        demand[(r.item_id, due)] = demand.get((r.item_id, due), 0) + r.quantity
    ours = {i: it for i, it in items.items() if it.station is not None}
    batches, made, runs = {}, {}, {}
    for i, it in ours.items():
        for d in range(days):
            b = batches[(i, d)] = m.new_int_var(0, it.max_batches, f"b_{i}_{d}")
            q = made[(i, d)] = m.new_int_var(0, it.max_batches * it.batch_size, f"q_{i}_{d}")
            m.add(q <= it.batch_size * b)
            m.add(it.batch_size * (b - 1) < q)  # no empty batch: b = ceil(q / batch_size)
            if it.setup_cost:  # a run: at least one batch
                y = runs[(i, d)] = m.new_bool_var(f"y_{i}_{d}")
                m.add(b <= it.max_batches * y)
                m.add(b >= y)
    needs: dict[tuple[int, int, int], cp_model.IntVar] = {}
    cons = _consumption(m, needs, ours, demand, made, days)
    lits: dict[str, cp_model.IntVar] = {}

    def lit(name: str) -> cp_model.IntVar:
        if name not in lits:
            lits[name] = m.new_bool_var(name)
        return lits[name]

    holding: list[Any] = []
    inventory: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, it in ours.items():
        before: Any = it.stock
        for d in range(days):
            inv = inventory[(i, d)] = m.new_int_var(-_BIG, _BIG, f"s_{i}_{d}")  # end of day d; < 0: short
            m.add(inv == before + it.wip.get(d, 0) + made[(i, d)] - cons[i][d])
            before = inv
            m.add(inv >= 0).only_enforce_if(lit(f"demand:{i}:{d}"))
            holding.append(inv)
            if it.shelf_life_days is not None and d + it.shelf_life_days - 1 < days:
                later = sum((cons[i][t] for t in range(d + 1, d + it.shelf_life_days)), start=0)
                # stock on hand at the start is not held to it (its lots' own expiry is FEFO's business)
                m.add(inv <= later + it.stock).only_enforce_if(lit(f"shelf_life:{i}"))
    _echelon_cuts(m, ours, demand, batches, inventory, days, lit)
    for station, per_day in capacity.items():
        for d in range(days):
            load = [
                ours[i].minutes_per_batch * b
                for (i, dd), b in batches.items()
                if dd == d and ours[i].station == station
            ]
            if load:
                m.add(sum(load) <= per_day[d]).only_enforce_if(lit(f"capacity:{station}:{d}"))
    setups = [ours[i].setup_cost * y for (i, _), y in runs.items() if ours[i].setup_cost]
    m.minimize(sum(holding) + sum(setups))
    return _Model(m, batches, made, needs, demand, runs, inventory, lits)


def _echelon_cuts(
    m: cp_model.CpModel,
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    batches: Mapping[tuple[int, int], cp_model.IntVar],
    inventory: Mapping[tuple[int, int], Any],
    days: int,
    lit: Any,
) -> None:
    """Valid inequalities (mixed-integer rounding of the echelon balance) that tighten the relaxation, hence
    the bound. An item ``c`` is used by its parents, theirs by their own parents...: with ``w(x)`` the units
    of ``c`` in one unit of an item ``x`` above it (the product of ``per / batch_size`` along every path,
    ``w(c) = 1``), what the days ``k..l`` need of ``c`` is at least ``D = sum w(x) * (external demand of x in
    k..l - WIP)``, and it comes from ``c``'s batches of those days or from stock held at the end of day
    ``k - 1`` by ``c`` or by the items above it: ``X + bs * B >= D`` with ``X = sum w(x) * inv[x, k-1]``,
    ``B`` the batches of ``c`` in ``k..l`` (whole). Rounded: ``X >= r * (ceil(D / bs) - B)``, ``r`` the last
    batch's part of ``D``: a batch fewer than ``D`` needs is paid for in stock held from before. On day 0 the
    stock is known: ``B >= ceil((D - X) / bs)``. Without these the relaxation makes fractions of batches on
    the day (a sauce's 0.3 of a pot), sees no station overloaded and proves almost nothing.
    Each cut holds when the demand constraints of the items it sums hold: it is enforced by their literals,
    so that an infeasible plan's explanation may still drop it."""
    parents: dict[int, list[tuple[int, Fraction]]] = {i: [] for i in items}
    for p in items.values():
        for comp, per in p.components:
            if comp in parents:
                parents[comp].append((p.item_id, Fraction(per, p.batch_size)))
    order = _top_down(items)  # parents first
    rank = {i: n for n, i in enumerate(order)}
    for c, it in items.items():
        weight: dict[int, Fraction] = {c: Fraction(1)}
        for x in sorted(_above(c, parents), key=lambda i: -rank[i]):  # children before parents
            weight[x] = sum((weight[ch] * a for ch in weight if ch != x for p, a in parents[ch] if p == x), Fraction(0))
        weight = {x: w for x, w in weight.items() if w > 0}
        scale = math.lcm(*(w.denominator for w in weight.values()))
        bs = it.batch_size
        for k in range(days):
            due = Fraction(0)
            for ll in range(k, days):
                due += sum(w * (demand.get((x, ll), 0) - items[x].wip.get(ll, 0)) for x, w in weight.items())
                if due <= 0:
                    continue
                on = [lit(f"demand:{x}:{t}") for x in weight for t in {ll, k - 1} if t >= 0]
                made = sum(batches[(c, t)] for t in range(k, ll + 1))
                if k == 0:
                    held = sum((w * items[x].stock for x, w in weight.items()), Fraction(0))
                    if due > held:
                        m.add(made >= math.ceil((due - held) / bs)).only_enforce_if(on)
                    continue
                need = math.ceil(due / bs)
                r = due - bs * (need - 1)
                if r == bs:
                    continue  # the rounding adds nothing to the linear balance
                lhs = sum(int(w * scale) * inventory[(x, k - 1)] for x, w in weight.items())
                rs = r * scale
                m.add(lhs * rs.denominator >= rs.numerator * (need - made)).only_enforce_if(on)


def _above(item: int, parents: Mapping[int, list[tuple[int, Fraction]]]) -> set[int]:
    seen: set[int] = set()
    todo = [item]
    while todo:
        for p, _ in parents[todo.pop()]:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def _hint(
    built: _Model,
    items: Mapping[int, PlanItem],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    polish_s: float = 5.0,
) -> bool:
    """A good start for the solver (``_start``), given as hints: much faster than from nothing. A plan that
    breaks no constraint when the heuristics find one, so that it is the solver's first feasible plan at
    once; otherwise the tightest greedy plan (the solver repairs it)."""
    made = _start(items, built.demand, capacity, days, polish_s=polish_s)
    feasible = _feasible(items, built.demand, capacity, made, days)
    for (i, d), var in built.made.items():  # every variable hinted: a complete start
        it = items[i]
        q = made.get((i, d), 0)
        b = -(-q // it.batch_size)
        built.model.add_hint(var, q)
        built.model.add_hint(built.batches[(i, d)], b)
        if (i, d) in built.runs:
            built.model.add_hint(built.runs[(i, d)], b > 0)
        for comp, per in it.components:
            if (comp, i, d) in built.needs:
                built.model.add_hint(built.needs[(comp, i, d)], -(-(per * q) // it.batch_size))
    for (i, d), level in _levels(items, built.demand, made, days).items():
        built.model.add_hint(built.inventory[(i, d)], level)
    return feasible


def _start(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    rounds: int = 30,
    polish_s: float = 5.0,
) -> dict[tuple[int, int], int]:
    """The greedy plan, then again with minutes kept free (for the components placed later) on the station
    days that it overloaded, as many minutes as the overload, until a plan breaks no constraint (or the
    rounds are spent: the last, and the solver repairs it)."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    relieved = _relieve(items, demand, capacity, days)
    if relieved is not None:
        return _polish(items, demand, capacity, relieved, days, time.perf_counter() + polish_s)
    reserve: dict[tuple[str, int], int] = {}
    made = _greedy(items, demand, capacity, days)
    for _ in range(rounds):
        if _feasible(items, demand, capacity, made, days):
            return made
        over = _overloaded(ours, capacity, made, days)
        if not over:
            return made  # broken by shelf life or a shortage, not by minutes: the solver repairs it
        for k, v in over.items():
            reserve[k] = reserve.get(k, 0) + v
        made = _greedy(items, demand, capacity, days, reserve)
    return made


def _relieve(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    tries: int = 3,
) -> dict[tuple[int, int], int] | None:
    """From the plan that ignores the stations' minutes (each item on its day), relieve the overloaded
    station days one batch at a time: the last (partial) batch of a run moved to an earlier day within the
    shelf life where it takes no more minutes than are free, the cheapest first (units x days held per minute
    freed); the components it then needs earlier follow it. None when this does not reach a feasible plan."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    made = dict(_greedy(items, demand, {st: [_BIG] * days for st in capacity}, days))
    for _ in range(4 * len(ours) * days):
        over = _overloaded(ours, capacity, made, days)
        if not over:
            return made if _feasible(items, demand, capacity, made, days) else None
        load = _load(ours, made)
        moves = []
        for (st, d), _minutes in over.items():
            for i, it in ours.items():
                q = made.get((i, d), 0)
                if it.station != st or q <= 0 or not it.minutes_per_batch:
                    continue
                x = q - it.batch_size * (-(-q // it.batch_size) - 1)  # the last batch's part
                for t in range(d - 1, max(0, d - (it.shelf_life_days or days) + 1) - 1, -1):
                    qt = made.get((i, t), 0)
                    extra = (-(-(qt + x) // it.batch_size) - -(-qt // it.batch_size)) * it.minutes_per_batch
                    if extra and load.get((st, t), 0) + extra > capacity.get(st, [0] * days)[t]:
                        continue
                    moves.append((x * (d - t) / it.minutes_per_batch, i, d, t, x))
        score = _score(items, demand, capacity, made, days)
        if score is None:
            return None
        best: tuple[float, dict[tuple[int, int], int]] | None = None
        for n, (_ratio, i, d, t, x) in enumerate(sorted(moves)):
            if n >= tries and best is not None:
                break  # the best of the first few that help; further down only when none of them does
            trial = dict(made)
            trial[(i, d)] -= x
            trial[(i, t)] = trial.get((i, t), 0) + x
            _follow(items, demand, trial, days)
            new = _score(items, demand, capacity, trial, days)
            if new is not None and new[0] < score[0]:  # held more per minute freed: the least is taken
                ratio = (new[1] - score[1]) / (score[0] - new[0])
                if best is None or ratio < best[0]:
                    best = (ratio, trial)
        if best is None:
            return None
        made = best[1]
    return None


def _polish(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    made: dict[tuple[int, int], int],
    days: int,
    deadline: float,
) -> dict[tuple[int, int], int]:
    """Postpone what a feasible plan makes ahead: what is still held at the end of a production day moves to
    the next day when that keeps every constraint and holds less (all of it, or what fits the next day's
    open batch). Passes over the plan until one changes nothing or the deadline (``perf_counter``) passes."""
    score = _score(items, demand, capacity, made, days)
    changed = True
    while changed and score is not None and time.perf_counter() < deadline:
        changed = False
        level = _levels(items, demand, made, days)
        for i, t in sorted(made):
            q = made[(i, t)]
            if q <= 0 or t + 1 >= days or level[(i, t)] <= 0:
                continue
            if time.perf_counter() > deadline:
                break
            it = items[i]
            nxt = made.get((i, t + 1), 0)
            room = -(-nxt // it.batch_size) * it.batch_size - nxt
            for x in sorted({min(q, level[(i, t)]), min(q, level[(i, t)], room)}, reverse=True):
                if x <= 0:
                    continue
                trial = dict(made)
                trial[(i, t)] -= x
                trial[(i, t + 1)] = nxt + x
                new = _score(items, demand, capacity, trial, days)
                if new is not None and new[0] == 0 and new[1] < score[1]:
                    score, made, changed = new, trial, True
                    level = _levels(items, demand, made, days)
                    break
    return made


def _load(items: Mapping[int, PlanItem], made: Mapping[tuple[int, int], int]) -> dict[tuple[str, int], int]:
    load: dict[tuple[str, int], int] = {}
    for (i, d), q in made.items():
        st = items[i].station or ""
        load[(st, d)] = load.get((st, d), 0) + -(-q // items[i].batch_size) * items[i].minutes_per_batch
    return load


def _follow(
    items: Mapping[int, PlanItem], demand: Mapping[tuple[int, int], int], made: dict[tuple[int, int], int], days: int
) -> None:
    """Make good a plan's shortages by moving an item's next production earlier (components that must follow
    their parent to an earlier day)."""
    for _ in range(len(items) * days):
        level = _levels(items, demand, made, days)
        short = sorted((d, i) for (i, d), v in level.items() if v < 0)
        if not short:
            return
        d, i = short[0]
        later = [t for t in range(d + 1, days) if made.get((i, t), 0) > 0]
        if not later:
            return
        x = min(-level[(i, d)], made[(i, later[0])])
        made[(i, later[0])] -= x
        made[(i, d)] = made.get((i, d), 0) + x


def _score(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    made: Mapping[tuple[int, int], int],
    days: int,
) -> tuple[int, int] | None:
    """(minutes over the stations' days, unit-days held) of a plan that keeps every other constraint."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    unlimited = {st: [_BIG] * days for st in capacity}
    used = _used(items, demand, made, days)
    level = _levels(items, demand, made, days, used)
    if not _keeps(items, unlimited, made, days, used, level):
        return None
    return sum(_overloaded(ours, capacity, made, days).values()), sum(level.values())


def _overloaded(
    items: Mapping[int, PlanItem],
    capacity: Mapping[str, Sequence[int]],
    made: Mapping[tuple[int, int], int],
    days: int,
) -> dict[tuple[str, int], int]:
    """Minutes over the station's day, per station day a plan overloads."""
    load: dict[tuple[str, int], int] = {}
    for (i, d), q in made.items():
        st = items[i].station or ""
        load[(st, d)] = load.get((st, d), 0) + -(-q // items[i].batch_size) * items[i].minutes_per_batch
    over = {k: v - capacity.get(k[0], [0] * days)[k[1]] for k, v in load.items()}
    return {k: v for k, v in over.items() if v > 0}


def _feasible(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    made: Mapping[tuple[int, int], int],
    days: int,
) -> bool:
    """Does a plan keep every constraint of the model (stock, shelf life, batches a day, station minutes)?"""
    used = _used(items, demand, made, days)
    return _keeps(items, capacity, made, days, used, _levels(items, demand, made, days, used))


def _keeps(
    items: Mapping[int, PlanItem],
    capacity: Mapping[str, Sequence[int]],
    made: Mapping[tuple[int, int], int],
    days: int,
    used: Mapping[tuple[int, int], int],
    level: Mapping[tuple[int, int], int],
) -> bool:
    ours = {i: it for i, it in items.items() if it.station is not None}
    if any(v < 0 for v in level.values()):
        return False
    load: dict[tuple[str, int], int] = {}
    for (i, d), q in made.items():
        it = ours[i]
        b = -(-q // it.batch_size)
        if b > it.max_batches:
            return False
        load[(it.station or "", d)] = load.get((it.station or "", d), 0) + b * it.minutes_per_batch
    if any(v > capacity.get(st, [0] * days)[d] for (st, d), v in load.items() if v):
        return False
    for i, it in ours.items():
        sl = it.shelf_life_days
        if sl is None:
            continue
        for d in range(days - sl + 1):
            if level[(i, d)] > sum(used[(i, t)] for t in range(d + 1, d + sl)) + it.stock:
                return False
    return True


def _used(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    made: Mapping[tuple[int, int], int],
    days: int,
) -> dict[tuple[int, int], int]:
    """What a plan uses of every made item each day: external demand and its parents' needs."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    used = {(i, d): demand.get((i, d), 0) for i in ours for d in range(days)}
    for p in ours.values():
        for comp, per in p.components:
            for d in range(days):
                if comp in ours and made.get((p.item_id, d), 0):
                    used[(comp, d)] += -(-(per * made[(p.item_id, d)]) // p.batch_size)
    return used


def _levels(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    made: Mapping[tuple[int, int], int],
    days: int,
    used: Mapping[tuple[int, int], int] | None = None,
) -> dict[tuple[int, int], int]:
    """Stock at the end of every day of a plan (``made``): negative where the plan falls short."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    if used is None:
        used = _used(items, demand, made, days)
    out = {}
    for i, it in ours.items():
        level = it.stock
        for d in range(days):
            level += it.wip.get(d, 0) + made.get((i, d), 0) - used[(i, d)]
            out[(i, d)] = level
    return out


def _greedy(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    reserve: Mapping[tuple[str, int], int] | None = None,
) -> dict[tuple[int, int], int]:
    """Backward scheduling, parents before their components: each item's dues (net of stock and WIP, first
    come first served) are made on the latest day that has room on the item's station and is within its
    shelf life of the due day, the rest a day earlier, and so on (when no day has room: on the due day,
    and the solver repairs it). A parent's production becomes its components' dues of the same day.
    ``reserve``: minutes of a station's day that an item first leaves free (for the components placed after
    it) before it takes them too."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    free = {(st, d): per[d] for st, per in capacity.items() for d in range(days)}
    kept = dict(reserve or {})
    need: dict[tuple[int, int], int] = {k: v for k, v in demand.items() if k[0] in ours}
    made: dict[tuple[int, int], int] = {(i, d): 0 for i in ours for d in range(days)}
    for i in _top_down(ours):
        it = ours[i]
        on_hand = it.stock
        for d in range(days):
            on_hand += it.wip.get(d, 0)
            due = need.get((i, d), 0)
            take = min(on_hand, due)
            on_hand -= take
            if due - take > 0:
                left = _place(it, d, due - take, made, free, kept)
                left = _place(it, d, left, made, free, {})
                if left > 0:  # no room: on the due day all the same
                    made[(i, d)] += left
        for d in range(days):
            q = made[(i, d)]
            for comp, per in it.components:
                if comp in ours and q:
                    need[(comp, d)] = need.get((comp, d), 0) + -(-(per * q) // it.batch_size)
    return {k: v for k, v in made.items() if v}


def _place(
    it: PlanItem,
    due: int,
    qty: int,
    made: dict[tuple[int, int], int],
    free: dict[tuple[str, int], int],
    kept: Mapping[tuple[str, int], int],
) -> int:
    """Place ``qty`` due on day ``due``, latest first, in the room above ``kept``; returns what did not fit."""
    earliest = max(0, due - (it.shelf_life_days or 10_000) + 1)
    bs, mpb, station = it.batch_size, it.minutes_per_batch, it.station or ""
    for t in range(due, earliest - 1, -1):
        if qty <= 0:
            break
        have = made[(it.item_id, t)]
        batches_now = -(-have // bs)
        spare = free.get((station, t), 0) - kept.get((station, t), 0)
        room = spare // mpb if mpb else it.max_batches
        room = min(room, it.max_batches - batches_now)
        fits = max(0, batches_now * bs - have) + max(0, room) * bs  # the open batch's rest, then new batches
        add = min(qty, fits)
        if add <= 0:
            continue
        made[(it.item_id, t)] = have + add
        free[(station, t)] = free.get((station, t), 0) - (-(-(have + add) // bs) - batches_now) * mpb
        qty -= add
    return qty


def _top_down(items: Mapping[int, PlanItem]) -> list[int]:
    """Made items, every parent before its components."""
    seen: set[int] = set()
    post: list[int] = []

    def visit(i: int) -> None:
        if i in seen:
            return
        seen.add(i)
        for comp, _ in items[i].components:
            if comp in items:
                visit(comp)
        post.append(i)

    for i in sorted(items):
        visit(i)
    return post[::-1]


def solve(
    items: Mapping[int, PlanItem],
    demand: Sequence[DemandRow],
    capacity: Mapping[str, Sequence[int]],
    *,
    days: int = 7,
    lead_days: int = 1,
    time_limit_s: float = 60.0,
    gap_limit: float = 0.01,
    workers: int = 2,
    seed: int = 0,
    linearization: int = 1,
) -> PlanResult:
    """Solve the plan; when it is infeasible, name the constraints that make it so (``conflicts``)."""
    started = time.perf_counter()
    built = _build(items, demand, capacity, days, lead_days)
    for v in built.literals.values():
        built.model.add(v == 1)
    feasible_start = _hint(built, items, capacity, days, polish_s=min(time_limit_s / 20, 3.0))
    start_s = time.perf_counter() - started if feasible_start else None
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s - (time.perf_counter() - started), 1.0)
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = linearization
    # the model is already tight (the cuts) and the start feasible: a short presolve (a full one takes
    # seconds on the bench's kitchen and gives the search little)
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    if workers == 2:  # two LP-guided searches (their dives find the good plans), not one and LNS
        solver.parameters.num_full_subsolvers = 2
        solver.parameters.ignore_subsolvers.extend(["core", "no_lp"])
    cb = _Progress(started)
    solver.best_bound_callback = cb.on_bound
    status = solver.solve(built.model, cb)
    elapsed = time.perf_counter() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        lines = [
            PlanLine(
                i,
                d,
                int(solver.value(b)),
                int(solver.value(built.made[(i, d)])),
                items[i].station,
                int(solver.value(b)) * items[i].minutes_per_batch,
            )
            for (i, d), b in sorted(built.batches.items())
            if solver.value(b) > 0
        ]
        return PlanResult(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            lines,
            solver.objective_value,
            solver.best_objective_bound,
            cb.first,
            elapsed,
            progress=sorted(cb.trace),
            start_s=start_s,
        )
    if status == cp_model.INFEASIBLE:
        return PlanResult(
            "infeasible",
            [],
            None,
            None,
            None,
            elapsed,
            explain(items, demand, capacity, days=days, lead_days=lead_days),
        )
    return PlanResult("unknown", [], None, None, None, elapsed)


def held(
    items: Mapping[int, PlanItem],
    demand: Sequence[DemandRow],
    lines: Sequence[PlanLine],
    *,
    days: int = 7,
    lead_days: int = 1,
) -> tuple[int, int, int]:
    """A plan's freshness, the objective's sense: unit-days held by what the plan makes ahead of its use,
    unit-days held by the stock on hand at the start (used first), and the units used the day they are made.
    The first two add up to the objective (without setup costs)."""
    due: dict[tuple[int, int], int] = {}
    for r in demand:
        key = (r.item_id, max(r.day - lead_days, 0))
        due[key] = due.get(key, 0) + r.quantity
    made = {(ln.item_id, ln.day): ln.quantity for ln in lines}
    used = _used(items, due, made, days)
    ahead = old = same_day = 0
    for i, it in items.items():
        if it.station is None:
            continue
        stock, level = it.stock, it.stock
        for d in range(days):
            level += it.wip.get(d, 0) + made.get((i, d), 0) - used[(i, d)]
            stock = max(0, stock - used[(i, d)])
            old += min(stock, level)
            ahead += level - min(stock, level)
            same_day += min(made.get((i, d), 0), used[(i, d)])
    return ahead, old, same_day


def explain(
    items: Mapping[int, PlanItem],
    demand: Sequence[DemandRow],
    capacity: Mapping[str, Sequence[int]],
    *,
    days: int = 7,
    lead_days: int = 1,
    time_limit_s: float = 20.0,
) -> list[str]:
    """The named constraints of an infeasible plan that cannot all hold together: an infeasible subset from
    the solver's assumptions, then shrunk one constraint at a time (each dropped when the rest is still
    infeasible) while the time allows. Sorted: capacity first, then shelf life, then demand."""
    deadline = time.perf_counter() + time_limit_s
    core = _core(items, demand, capacity, days, lead_days, None, time_limit_s) or []
    needed: list[str] = []
    rest = list(core)
    while rest and time.perf_counter() < deadline:
        candidate = rest.pop()
        trial = set(needed) | set(rest)
        left = max(deadline - time.perf_counter(), 0.1)
        if _core(items, demand, capacity, days, lead_days, trial, min(left, 5.0)) is None:
            needed.append(candidate)  # without it the rest is feasible (or unknown): keep it
    needed += rest
    order = {"capacity": 0, "shelf_life": 1, "demand": 2}
    return sorted(needed, key=lambda n: (order.get(n.split(":")[0], 9), n))


def _core(
    items: Mapping[int, PlanItem],
    demand: Sequence[DemandRow],
    capacity: Mapping[str, Sequence[int]],
    days: int,
    lead_days: int,
    only: set[str] | None,
    time_limit_s: float,
) -> list[str] | None:
    """Solve with the named constraints as assumptions (``only``: just these, the others dropped); the
    assumptions of an infeasibility proof, or None when it is not proved infeasible."""
    built = _build(items, demand, capacity, days, lead_days)
    names = {v.index: k for k, v in built.literals.items()}
    on = [v for k, v in built.literals.items() if only is None or k in only]
    for k, v in built.literals.items():
        if only is not None and k not in only:
            built.model.add(v == 0)
    built.model.add_assumptions(on)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.cp_model_presolve = False
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return None
    return [names[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in names]

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

Objective: produce as late as allowed (minimise unit-days held in stock), plus an optional cost per
production run of an item on a day (``setup_cost``: fewer, larger runs). The bound and the gap come from the solver.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model


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

    @property
    def gap_pct(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) * 100 / abs(self.objective)


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started


@dataclass
class _Model:
    model: cp_model.CpModel
    batches: dict[tuple[int, int], cp_model.IntVar]
    made: dict[tuple[int, int], cp_model.IntVar]
    needs: dict[tuple[int, int, int], cp_model.IntVar]  # (component, parent, day) -> units used
    demand: dict[tuple[int, int], int]
    runs: dict[tuple[int, int], cp_model.IntVar]
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
            y = runs[(i, d)] = m.new_bool_var(f"y_{i}_{d}")
            m.add(q <= it.batch_size * b)
            m.add(it.batch_size * (b - 1) < q).only_enforce_if(y)  # no empty batch
            m.add(b <= it.max_batches * y)
            m.add(b == 0).only_enforce_if(~y)
            m.add(b >= y)  # a run is at least one batch (tightens the relaxation)
    needs: dict[tuple[int, int, int], cp_model.IntVar] = {}
    cons = _consumption(m, needs, ours, demand, made, days)
    lits: dict[str, cp_model.IntVar] = {}

    def lit(name: str) -> cp_model.IntVar:
        if name not in lits:
            lits[name] = m.new_bool_var(name)
        return lits[name]

    holding: list[Any] = []
    for i, it in ours.items():
        supply: Any = it.stock
        used: Any = 0
        for d in range(days):
            supply = supply + it.wip.get(d, 0) + made[(i, d)]
            used = used + cons[i][d]
            inv = supply - used
            m.add(inv >= 0).only_enforce_if(lit(f"demand:{i}:{d}"))
            holding.append(inv)
            if it.shelf_life_days is not None and d + it.shelf_life_days - 1 < days:
                later = sum((cons[i][t] for t in range(d + 1, d + it.shelf_life_days)), start=0)
                # stock on hand at the start is not held to it (its lots' own expiry is FEFO's business)
                m.add(inv <= later + it.stock).only_enforce_if(lit(f"shelf_life:{i}"))
    _rounding_cuts(m, ours, demand, batches, days, lit)
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
    return _Model(m, batches, made, needs, demand, runs, lits)


def _rounding_cuts(
    m: cp_model.CpModel,
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    batches: Mapping[tuple[int, int], cp_model.IntVar],
    days: int,
    lit: Any,
) -> None:
    """Valid inequalities that tighten the relaxation (hence the bound): the batches of an item made up to a
        day are at least its external demand due by then, net of stock and WIP, in whole batches. (Dependent
        demand only adds to it, so this holds for every item.) Each under its day's demand literal, so that an
    infeasible plan's explanation may still drop it."""
    for i, it in items.items():
        due = held = 0
        for d in range(days):
            due += demand.get((i, d), 0)
            held += it.wip.get(d, 0)
            short = due - it.stock - held
            if short > 0:
                made = sum(batches[(i, t)] for t in range(d + 1))
                m.add(made >= -(-short // it.batch_size)).only_enforce_if(lit(f"demand:{i}:{d}"))


def _hint(built: _Model, items: Mapping[int, PlanItem], capacity: Mapping[str, Sequence[int]], days: int) -> None:
    """A good start for the solver (``_greedy``), given as hints: much faster than from nothing."""
    made = _greedy(items, built.demand, capacity, days)
    for (i, d), var in built.made.items():  # every variable hinted: a complete start
        it = items[i]
        q = made.get((i, d), 0)
        b = -(-q // it.batch_size)
        built.model.add_hint(var, q)
        built.model.add_hint(built.batches[(i, d)], b)
        built.model.add_hint(built.runs[(i, d)], b > 0)
        for comp, per in it.components:
            if (comp, i, d) in built.needs:
                built.model.add_hint(built.needs[(comp, i, d)], -(-(per * q) // it.batch_size))


def _greedy(
    items: Mapping[int, PlanItem],
    demand: Mapping[tuple[int, int], int],
    capacity: Mapping[str, Sequence[int]],
    days: int,
) -> dict[tuple[int, int], int]:
    """Backward scheduling, parents before their components: each item's dues (net of stock and WIP, first
    come first served) are made on the latest day that has room on the item's station and is within its
    shelf life of the due day, the rest a day earlier, and so on (when no day has room: on the due day,
    and the solver repairs it). A parent's production becomes its components' dues of the same day."""
    ours = {i: it for i, it in items.items() if it.station is not None}
    free = {(st, d): per[d] for st, per in capacity.items() for d in range(days)}
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
                _place(it, d, due - take, made, free)
        for d in range(days):
            q = made[(i, d)]
            for comp, per in it.components:
                if comp in ours and q:
                    need[(comp, d)] = need.get((comp, d), 0) + -(-(per * q) // it.batch_size)
    return {k: v for k, v in made.items() if v}


def _place(
    it: PlanItem, due: int, qty: int, made: dict[tuple[int, int], int], free: dict[tuple[str, int], int]
) -> None:
    earliest = max(0, due - (it.shelf_life_days or 10_000) + 1)
    bs, mpb, station = it.batch_size, it.minutes_per_batch, it.station or ""
    for t in range(due, earliest - 1, -1):
        if qty <= 0:
            return
        have = made[(it.item_id, t)]
        batches_now = -(-have // bs)
        room = free.get((station, t), 0) // mpb if mpb else it.max_batches
        room = min(room, it.max_batches - batches_now)
        fits = max(0, batches_now * bs - have) + max(0, room) * bs  # the open batch's rest, then new batches
        add = min(qty, fits)
        if add <= 0:
            continue
        made[(it.item_id, t)] = have + add
        free[(station, t)] = free.get((station, t), 0) - (-(-(have + add) // bs) - batches_now) * mpb
        qty -= add
    if qty > 0:  # no room: on the due day all the same
        made[(it.item_id, due)] += qty


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
    _hint(built, items, capacity, days)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = linearization
    cb = _FirstSolution(started)
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

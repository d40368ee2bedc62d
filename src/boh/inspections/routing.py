"""Days and routes of each inspector (pure): OR-Tools routing lays an inspector's visits on their working days
(one vehicle per day, leaving home and coming back, at most ``capacity`` stops, each visit only on a day of
its window) so that the total distance is short; cheapest insertion re-plans the visits of an inspector who
becomes unavailable. Distances are great-circle metres."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from boh.inspections.domain import distance_m
from boh.inspections.planner import InspectorSpec, Need, Plan, Point, Store, Visit, home_of, territories, working_days

DROP_PENALTY = 50_000_000  # metres: dropping a visit costs more than any detour


def _matrix(points: Sequence[Point]) -> list[list[int]]:
    return [[int(distance_m(a[0], a[1], b[0], b[1])) for b in points] for a in points]


def schedule(
    spec: InspectorSpec, demand: Sequence[Need], days: Sequence[date], home: Point, stores: Mapping[int, Store],
    *, seconds: float = 0.5,
) -> tuple[list[Visit], list[Need]]:  # fmt: skip
    """One inspector's visits on their days, each day's stops in route order; and the visits that fit no day."""
    allowed = [[v for v, d in enumerate(days) if n.start <= d <= n.end] for n in demand]
    placeable = [i for i, a in enumerate(allowed) if a]
    lost = [demand[i] for i, a in enumerate(allowed) if not a]
    if not placeable or not days:
        return [], list(demand)
    points = [home] + [(stores[demand[i].store_id].lat, stores[demand[i].store_id].lon) for i in placeable]
    manager = pywrapcp.RoutingIndexManager(len(points), len(days), 0)
    model = pywrapcp.RoutingModel(manager)
    transit = model.RegisterTransitMatrix(_matrix(points))
    model.SetArcCostEvaluatorOfAllVehicles(transit)
    load = model.RegisterUnaryTransitVector([0] + [1] * len(placeable))
    model.AddDimensionWithVehicleCapacity(load, 0, [spec.capacity] * len(days), True, "load")
    for node, i in enumerate(placeable, start=1):
        index = manager.NodeToIndex(node)
        model.VehicleVar(index).SetValues([-1, *allowed[i]])  # -1: dropped
        model.AddDisjunction([index], DROP_PENALTY)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.SAVINGS
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    solution = model.SolveWithParameters(params)
    if solution is None:
        return [], list(demand)
    visits: list[Visit] = []
    placed: set[int] = set()
    for v, day in enumerate(days):
        index, order = solution.Value(model.NextVar(model.Start(v))), 0
        while not model.IsEnd(index):
            i = placeable[manager.IndexToNode(index) - 1]
            visits.append(Visit(demand[i], spec.id, day, order))
            placed.add(i)
            order += 1
            index = solution.Value(model.NextVar(index))
    lost += [demand[i] for i in placeable if i not in placed]
    return visits, lost


def plan(
    stores: Sequence[Store], inspectors: Sequence[InspectorSpec], demand: Sequence[Need], start: date, end: date,
    *, seconds: float = 20.0,
) -> Plan:  # fmt: skip
    """Territories, then each inspector's days and routes within ``seconds`` of solver time in all."""
    by_id = {s.id: s for s in stores}
    days = {i.id: working_days(i, start, end) for i in inspectors}
    slots = {i.id: len(days[i.id]) * i.capacity for i in inspectors}
    loads: dict[int, int] = defaultdict(int)
    for n in demand:
        loads[n.store_id] += 1
    owner = territories(stores, loads, inspectors, slots)
    mine: dict[int, list[Need]] = defaultdict(list)
    unassigned = [n for n in demand if n.store_id not in owner]
    for n in demand:
        if n.store_id in owner:
            mine[owner[n.store_id]].append(n)
    result = Plan([], unassigned)
    busy = [i for i in inspectors if mine[i.id]]
    for spec in inspectors:
        points = [(by_id[n.store_id].lat, by_id[n.store_id].lon) for n in mine[spec.id]]
        result.homes[spec.id] = home_of(spec, points)
    for spec in busy:
        share = seconds * len(mine[spec.id]) / max(1, len(demand))
        visits, lost = schedule(spec, mine[spec.id], days[spec.id], result.homes[spec.id], by_id, seconds=share)
        result.visits += visits
        result.unassigned += lost
    return result


# --- re-planning ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    need: Need
    inspector_id: int | None  # None: nobody can take it in its window
    day: date | None


def _insertion_cost(home: Point, route: Sequence[Point], p: Point) -> tuple[float, int]:
    """The cheapest detour of adding ``p`` to a day's route, and where."""
    path = [home, *route, home]
    best = (float("inf"), 0)
    for k in range(len(path) - 1):
        a, b = path[k], path[k + 1]
        extra = distance_m(*a, *p) + distance_m(*p, *b) - distance_m(*a, *b)
        best = min(best, (extra, k))
    return best


def replan(
    affected: Sequence[Need], kept: Sequence[Visit], inspectors: Sequence[InspectorSpec], stores: Mapping[int, Store],
    homes: Mapping[int, Point], start: date, end: date, *, keep_bonus_m: float = 5_000,
    prefer: int | None = None,
) -> list[Move]:  # fmt: skip
    """Give each affected visit the cheapest free place: a working day in its window with room, of the same
    inspector (``prefer``, favoured by ``keep_bonus_m``) or another who may visit the store. ``kept`` are the
    visits that stay where they are (their days fill up as moves are placed)."""
    routes: dict[tuple[int, date], list[Point]] = defaultdict(list)
    for v in sorted(kept, key=lambda v: v.order):
        s = stores[v.need.store_id]
        routes[(v.inspector_id, v.day)].append((s.lat, s.lon))
    moves: list[Move] = []
    for need in sorted(affected, key=lambda n: (n.end, n.store_id)):
        store = stores[need.store_id]
        p = (store.lat, store.lon)
        best: tuple[float, int, date] | None = None
        for spec in inspectors:
            if not spec.may_visit(store) or spec.id not in homes:
                continue
            for day in working_days(spec, max(start, need.start), min(end, need.end)):
                route = routes[(spec.id, day)]
                if len(route) >= spec.capacity:
                    continue
                cost, _ = _insertion_cost(homes[spec.id], route, p)
                cost -= keep_bonus_m if spec.id == prefer else 0
                if best is None or (cost, spec.id, day) < best:
                    best = (cost, spec.id, day)
        if best is None:
            moves.append(Move(need, None, None))
            continue
        _, ins, day = best
        _, at = _insertion_cost(homes[ins], routes[(ins, day)], p)
        routes[(ins, day)].insert(at, p)
        moves.append(Move(need, ins, day))
    return moves


def order_day(home: Point, stops: Sequence[tuple[int, Point]]) -> list[int]:
    """The ids of a day's stops in a short round-trip order (cheapest insertion, exact enough for a day)."""
    route: list[tuple[int, Point]] = []
    for sid, p in sorted(stops, key=lambda s: -distance_m(*home, *s[1])):  # farthest first
        _, at = _insertion_cost(home, [q for _, q in route], p)
        route.insert(at, (sid, p))
    return [sid for sid, _ in route]

"""The inspection planner (pure: plain data in, assignments out; no database).

1. ``needs``: what each rule asks of each store in the period, as visits with a window of days (riskier
   stores more often, each visit carrying the reasons it was planned).
2. ``territories``: stores shared among the inspectors allowed to visit them (region), balanced by the visits
   each inspector can make (working days x daily capacity, less absences) and kept compact: a min-cost flow
   (OR-Tools) on the distance to each inspector's centre, re-centred a few times (capacitated k-means).
3. ``routing.schedule``: each inspector's visits laid out on their working days, at most ``capacity`` a day,
   each within its window, ordered to keep each day's round trip from home short (OR-Tools routing).
``naive_plan`` is the baseline the benchmark compares against: every day, each inspector takes the nearest
due store from where they stand until the day is full.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ortools.graph.python import min_cost_flow

from boh.inspections.domain import distance_m
from boh.inspections.risk import Risk

Point = tuple[float, float]


@dataclass(frozen=True)
class Store:
    id: int
    lat: float
    lon: float
    region_id: int | None = None
    format: str | None = None


@dataclass(frozen=True)
class InspectorSpec:
    id: int
    region_id: int | None  # None: every region
    working_days: frozenset[int]  # weekday numbers, Monday = 0
    capacity: int  # visits a day
    home: Point | None = None  # where the day starts and ends (None: the centre of their territory)
    absent: frozenset[date] = frozenset()

    def works(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.absent

    def may_visit(self, store: Store) -> bool:
        return self.region_id is None or self.region_id == store.region_id


@dataclass(frozen=True)
class Need:
    """One visit a rule asks for: at ``store`` on a day of [start, end]."""

    store_id: int
    start: date
    end: date
    rule_id: int = 0
    template_id: int = 0
    kind: str = "inspection"
    unannounced: bool = False
    reasons: tuple[tuple[str, str], ...] = ()  # (code, value) pairs beside the risk's own reasons


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: str  # every_n_days | self_monthly | reinspect_below
    template_id: int
    site_format: str | None = None
    region_id: int | None = None
    every_days: int | None = None
    threshold: float | None = None
    within_days: int | None = None
    unannounced: bool = False
    risk_based: bool = True
    formats: tuple[str, ...] = ()  # the template's store formats (empty: every format)
    regions: tuple[int, ...] = ()  # the template's regions (empty: every region)

    def applies(self, store: Store) -> bool:
        """The rule's own filters and its template's: a template made for supermarkets never goes to a
        convenience store."""
        return (
            (self.site_format is None or self.site_format == store.format)
            and (self.region_id is None or self.region_id == store.region_id)
            and (not self.formats or store.format in self.formats)
            and (not self.regions or store.region_id in self.regions)
        )


@dataclass(frozen=True)
class History:
    last_visit: date | None = None  # the last submitted inspection with this rule's template
    last_score: float | None = None


@dataclass(frozen=True)
class Visit:
    need: Need
    inspector_id: int
    day: date
    order: int


@dataclass
class Plan:
    visits: list[Visit]
    unassigned: list[Need]
    homes: dict[int, Point] = field(default_factory=dict)


# --- 1. needs -------------------------------------------------------------------------------------------


def _every_n(rule: RuleSpec, store: Store, hist: History, risk: Risk | None, start: date, end: date) -> list[Need]:
    factor = float(risk.factor) if (risk is not None and rule.risk_based) else 1.0
    interval = max(1, round((rule.every_days or 30) * factor))
    first_end = (hist.last_visit + timedelta(days=interval)) if hist.last_visit else start + timedelta(interval - 1)
    first_end = max(first_end, start + timedelta(days=min(interval, 7) - 1))  # overdue: within the first week
    out, lo, hi = [], start, first_end
    why = (("rule", str(rule.every_days)),) + (
        (("risk_interval", str(interval)),) if interval != rule.every_days else ()
    )
    while hi <= end:
        out.append(Need(store.id, lo, hi, rule.id, rule.template_id, "inspection", rule.unannounced, why))
        lo, hi = hi + timedelta(days=1), hi + timedelta(days=interval)
    return out


def _reinspect(rule: RuleSpec, store: Store, hist: History, start: date, end: date) -> list[Need]:
    if hist.last_visit is None or hist.last_score is None or hist.last_score >= (rule.threshold or 0):
        return []
    within = rule.within_days or 14
    lo = max(start, hist.last_visit + timedelta(days=1))
    hi = max(hist.last_visit + timedelta(days=within), start + timedelta(days=min(within, 7) - 1))
    if lo > end:
        return []
    why = (("reinspect_below", f"{hist.last_score:g}"),)
    return [Need(store.id, lo, min(hi, end), rule.id, rule.template_id, "inspection", rule.unannounced, why)]


def _monthly(rule: RuleSpec, store: Store, start: date, end: date) -> list[Need]:
    out, month = [], date(start.year, start.month, 1)
    while month <= end:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        lo, hi = max(month, start), min(nxt - timedelta(days=1), end)
        out.append(Need(store.id, lo, hi, rule.id, rule.template_id, "self", False, (("self_monthly", ""),)))
        month = nxt
    return out


def needs(
    stores: Sequence[Store],
    rules: Sequence[RuleSpec],
    start: date,
    end: date,
    history: Mapping[tuple[int, int], History],  # (store id, template id) -> history
    risks: Mapping[int, Risk],
) -> list[Need]:
    out: list[Need] = []
    for rule in rules:
        for store in stores:
            if not rule.applies(store):
                continue
            hist = history.get((store.id, rule.template_id), History())
            if rule.kind == "every_n_days":
                out += _every_n(rule, store, hist, risks.get(store.id), start, end)
            elif rule.kind == "reinspect_below":
                out += _reinspect(rule, store, hist, start, end)
            elif rule.kind == "self_monthly":
                out += _monthly(rule, store, start, end)
    return out


# --- 2. territories -------------------------------------------------------------------------------------


def working_days(spec: InspectorSpec, start: date, end: date) -> list[date]:
    return [d for d in (start + timedelta(days=i) for i in range((end - start).days + 1)) if spec.works(d)]


def _centroid(points: Iterable[Point]) -> Point | None:
    pts = list(points)
    if not pts:
        return None
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def _seed_centres(stores: Sequence[Store], inspectors: Sequence[InspectorSpec]) -> dict[int, Point]:
    """Home when known, else spread over the stores they may visit (farthest-point seeding, deterministic)."""
    centres: dict[int, Point] = {}
    for ins in inspectors:
        if ins.home is not None:
            centres[ins.id] = ins.home
            continue
        pool = [s for s in stores if ins.may_visit(s)] or list(stores)
        if not pool:
            continue
        taken = list(centres.values())
        best = max(pool, key=lambda s: min((distance_m(s.lat, s.lon, *c) for c in taken), default=0.0) - s.id * 1e-9)
        centres[ins.id] = (best.lat, best.lon)
    return centres


def _flow(
    stores: Sequence[Store], loads: Mapping[int, int], inspectors: Sequence[InspectorSpec],
    centres: Mapping[int, Point], caps: Mapping[int, int], floors: Mapping[int, int],
) -> dict[int, int] | None:  # fmt: skip
    """Store -> inspector by a min-cost flow of visits (None when the capacities cannot hold them)."""
    flow = min_cost_flow.SimpleMinCostFlow()
    ins_index = {ins.id: len(stores) + i for i, ins in enumerate(inspectors)}
    sink = len(stores) + len(inspectors)
    total = 0
    arcs: list[tuple[int, int, int]] = []  # (arc, store index, inspector id)
    for si, store in enumerate(stores):
        load = loads[store.id]
        total += load
        flow.set_node_supply(si, load)
        for ins in inspectors:
            if ins.id in centres and ins.may_visit(store):
                cost = int(distance_m(store.lat, store.lon, *centres[ins.id]))
                arcs.append((flow.add_arc_with_capacity_and_unit_cost(si, ins_index[ins.id], load, cost), si, ins.id))
    floor_total = 0
    for ins in inspectors:  # at least ``floors`` (a node demand), at most ``caps`` (the rest goes to the sink)
        low = min(floors.get(ins.id, 0), caps.get(ins.id, 0))
        floor_total += low
        flow.set_node_supply(ins_index[ins.id], -low)
        flow.add_arc_with_capacity_and_unit_cost(ins_index[ins.id], sink, caps.get(ins.id, 0) - low, 0)
    flow.set_node_supply(sink, floor_total - total)
    if flow.solve() != flow.OPTIMAL:
        return None
    share: dict[int, dict[int, int]] = defaultdict(dict)
    for arc, si, ins_id in arcs:
        if flow.flow(arc) > 0:
            share[stores[si].id][ins_id] = flow.flow(arc)
    owner = {sid: next(iter(parts)) for sid, parts in share.items() if len(parts) == 1}
    work: dict[int, int] = defaultdict(int)
    for s in stores:
        if s.id in owner:
            work[owner[s.id]] += loads[s.id]
    for sid in sorted(set(share) - set(owner), key=lambda k: -loads[k]):  # a store split by the flow: one owner,
        parts = share[sid]  # the part with the least work so far
        owner[sid] = min(parts, key=lambda k: (work[k] - caps.get(k, 0), k))
        work[owner[sid]] += loads[sid]
    return owner


def _base_caps(
    stores: Sequence[Store], loads: Mapping[int, int], inspectors: Sequence[InspectorSpec], slots: Mapping[int, int]
) -> dict[int, int]:
    """Each inspector's fair share of the visits they may make: the visits of their region (or of the regions
    no regional inspector covers, for inspectors of every region) in proportion to their slots."""
    regional = {i.region_id for i in inspectors if i.region_id is not None}
    total: dict[int | None, int] = defaultdict(int)
    for s in stores:
        total[s.region_id if s.region_id in regional else None] += loads[s.id]
    room: dict[int | None, int] = defaultdict(int)
    for i in inspectors:
        room[i.region_id] += slots[i.id]
    return {i.id: math.ceil(total[i.region_id] * slots[i.id] / max(1, room[i.region_id])) for i in inspectors}


def territories(
    stores: Sequence[Store], loads: Mapping[int, int], inspectors: Sequence[InspectorSpec], slots: Mapping[int, int],
    *, rounds: int = 4, balance: float = 1.05,
) -> dict[int, int]:  # fmt: skip
    """Store id -> inspector id, balanced by each inspector's share of the visit slots (between 1/``balance`` and
    ``balance`` times it), compact around a centre that follows the territory (homes stay put). Stores nobody
    may visit are left out."""
    reachable = [s for s in stores if loads.get(s.id, 0) > 0 and any(i.may_visit(s) for i in inspectors)]
    active = [i for i in inspectors if slots.get(i.id, 0) > 0]
    if not reachable or not active:
        return {}
    base = _base_caps(reachable, loads, active, slots)
    centres = _seed_centres(reachable, active)
    owner: dict[int, int] = {}
    for _ in range(rounds):
        result, extra = None, 0
        while result is None and extra <= 4096:
            caps = {i.id: min(slots[i.id], math.ceil(base[i.id] * balance) + extra) for i in active}
            floors = {i.id: max(0, int(base[i.id] / balance) - extra) for i in active}
            result = _flow(reachable, loads, active, centres, caps, floors)
            extra = extra * 2 or 1
        if result is None:
            break
        owner = result
        by_ins: dict[int, list[Point]] = defaultdict(list)
        for s in reachable:
            if s.id in owner:
                by_ins[owner[s.id]].append((s.lat, s.lon))
        centres = {i.id: i.home or _centroid(by_ins[i.id]) or centres[i.id] for i in active}
    return owner


# --- measuring a plan -----------------------------------------------------------------------------------


def home_of(spec: InspectorSpec, points: Iterable[Point]) -> Point:
    return spec.home or _centroid(points) or (0.0, 0.0)


def day_km(home: Point, stops: Sequence[Point]) -> float:
    path = [home, *stops, home]
    return sum(distance_m(*a, *b) for a, b in itertools.pairwise(path)) / 1000


def travel_km(plan: Plan, stores: Mapping[int, Store]) -> float:
    days: dict[tuple[int, date], list[Visit]] = defaultdict(list)
    for v in plan.visits:
        days[(v.inspector_id, v.day)].append(v)
    total = 0.0
    for (ins, _day), visits in days.items():
        stops = [
            (stores[v.need.store_id].lat, stores[v.need.store_id].lon) for v in sorted(visits, key=lambda v: v.order)
        ]
        total += day_km(plan.homes[ins], stops)
    return total


def workload_cv(plan: Plan, inspector_ids: Iterable[int]) -> float:
    """Coefficient of variation of the visits each inspector makes (0: perfectly even)."""
    counts = dict.fromkeys(inspector_ids, 0)
    for v in plan.visits:
        counts[v.inspector_id] = counts.get(v.inspector_id, 0) + 1
    values = list(counts.values())
    if not values or sum(values) == 0:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((x - mean) ** 2 for x in values) / len(values)) / mean


def _km(here: Point, store: Store) -> float:
    return distance_m(here[0], here[1], store.lat, store.lon)


# --- the naive baseline ---------------------------------------------------------------------------------


def naive_plan(
    stores: Sequence[Store], inspectors: Sequence[InspectorSpec], demand: Sequence[Need], start: date, end: date,
    homes: Mapping[int, Point],
) -> Plan:  # fmt: skip
    """Every working day, each inspector in turn takes the nearest due store from where they stand (a visit
    is due from its window's first day) until their day is full, then goes home."""
    by_id = {s.id: s for s in stores}
    open_needs = sorted(demand, key=lambda n: (n.start, n.store_id))
    done: set[int] = set()
    visits: list[Visit] = []
    day = start
    while day <= end:
        due = {i for i, n in enumerate(open_needs) if i not in done and n.start <= day <= n.end}
        for ins in inspectors:
            if not ins.works(day):
                continue
            here = homes[ins.id]
            mine = [i for i in due if ins.may_visit(by_id[open_needs[i].store_id])]
            for order in range(ins.capacity):
                if not mine:
                    break
                pick = min(mine, key=lambda i: (_km(here, by_id[open_needs[i].store_id]), i))
                mine.remove(pick)
                due.discard(pick)
                done.add(pick)
                store = by_id[open_needs[pick].store_id]
                visits.append(Visit(open_needs[pick], ins.id, day, order))
                here = (store.lat, store.lon)
        day += timedelta(days=1)
    unassigned = [n for i, n in enumerate(open_needs) if i not in done]
    return Plan(visits, unassigned, dict(homes))

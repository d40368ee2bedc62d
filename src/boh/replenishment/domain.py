"""Pure rules of replenishment (no I/O): inventory position, the order quantity of one site x item under a
policy (order-up-to, min/max, fixed quantity), the constraints applied to it in a fixed order, and the
structured explanation of every step. Quantities are in the item's base unit, Decimal throughout.

Safety stock (order-up-to). The cover period is P = L + R days: the lead time L (mean of the supplier's
observed lead times, else the nominal one) plus the review period R (days to the next order opportunity).
The daily demand spread comes from the forecast's own quantiles: sigma_d = (q90_d - q50_d) / z(0.90) for
each day of the cover period (a normal approximation of the forecast distribution; a day whose q90 is not
above q50 has no spread). Days are taken as independent, and the lead time as a random variable with mean L
and standard deviation s_L, so the variance of demand over the cover period is

    var = sum(sigma_d^2 over the P days) + mu_d^2 * s_L^2        (mu_d = mean daily forecast in the period)

which is the classic L * sigma_d^2 + mu_d^2 * sigma_L^2 with the forecast's own per-day sigma. Safety stock is
z(service level) * sqrt(var); a safety stock set on the site's assortment is a floor (a planner's manual
minimum). The order-up-to level is S = forecast over the cover period + safety stock; the raw need S - IP.

Rounding that does not systematically over-order: to the NEAREST case (and to the nearest pallet once a
line is at least a pallet), except that a rounding down is refused when it would leave the expected stock at
the end of the cover period below zero (position + qty < forecast over the cover period): the safety stock
absorbs the rounding, on average the error is zero (tests/replenishment/test_domain.py holds it to that).
MOQ: a need below half the MOQ waits for the next order opportunity when the stock covers the period;
otherwise the line is raised to the MOQ. Then the caps: shelf capacity (the assortment's max: position +
qty <= max) and shelf life (never more than forecast demand until the new lot expires, minus position),
each rounded DOWN to the case so a cap is never exceeded by rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from statistics import NormalDist
from typing import Any

ZERO = Decimal(0)
ONE = Decimal(1)
Q = Decimal("0.001")
Z90 = Decimal("1.2815515655")  # z(0.90): q90 - q50 = z90 * sigma for a normal forecast distribution
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
METHODS = ("order_up_to", "min_max", "fixed_qty")


def q(x: Decimal) -> Decimal:
    return x.quantize(Q, rounding=ROUND_HALF_UP)


def z_value(service_level: Decimal) -> Decimal:
    """z of the standard normal for a cycle service level in (0.5, 1) (0.5 -> 0)."""
    sl = min(max(float(service_level), 0.5), 0.9999)
    return Decimal(repr(NormalDist().inv_cdf(sl))).quantize(Decimal("0.0001"))


def dec_sqrt(x: Decimal) -> Decimal:
    return x.sqrt() if x > 0 else ZERO


# --- inputs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    on_hand: Decimal = ZERO
    on_order: Decimal = ZERO
    in_transit: Decimal = ZERO
    reserved: Decimal = ZERO
    expiring: Decimal = ZERO  # on hand expected to expire unsold before the order arrives

    @property
    def value(self) -> Decimal:
        return self.on_hand + self.on_order + self.in_transit - self.reserved - self.expiring

    def as_dict(self) -> dict[str, str]:
        return {k: str(q(v)) for k, v in (("on_hand", self.on_hand), ("on_order", self.on_order),
                ("in_transit", self.in_transit), ("reserved", self.reserved), ("expiring", self.expiring),
                ("position", self.value))}  # fmt: skip


@dataclass(frozen=True)
class LeadTime:
    mean_days: Decimal
    std_days: Decimal = ZERO
    samples: int = 0  # 0: the nominal lead time


@dataclass(frozen=True)
class DayForecast:
    day: date
    mean: Decimal
    q50: Decimal
    q90: Decimal

    @property
    def sigma(self) -> Decimal:
        return max(ZERO, (self.q90 - self.q50) / Z90)


@dataclass(frozen=True)
class Pack:
    """How the line may be ordered, in base units: case (the supplier's order multiple x purchase factor),
    MOQ, pallet (0: none)."""

    case: Decimal = ONE
    moq: Decimal = ZERO
    pallet: Decimal = ZERO


@dataclass(frozen=True)
class Policy:
    method: str = "order_up_to"
    service_level: Decimal = Decimal("0.95")
    review_days: int | None = None  # None: from the order days (next order opportunity)
    fixed_qty: Decimal | None = None
    shelf_life_cap: bool = True
    tolerance_pct: Decimal = Decimal(20)  # review changes within +-this % need no approval


@dataclass(frozen=True)
class Limits:
    """The site x item parameters from the catalog assortment (None: not set)."""

    min_qty: Decimal | None = None
    max_qty: Decimal | None = None  # shelf capacity
    reorder_point: Decimal | None = None
    safety_stock: Decimal | None = None  # manual floor of the safety stock


@dataclass(frozen=True)
class LineInput:
    today: date
    position: Position
    forecast: Sequence[DayForecast]  # from today on, at least to the end of the cover period
    lead_time: LeadTime
    review_days: int
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)
    pack: Pack = field(default_factory=Pack)
    shelf_life_days: int | None = None
    baseline_daily: Decimal | None = None  # average daily sales of the last weeks (promotion uplift shown)
    promo: bool = False


@dataclass(frozen=True)
class LineResult:
    qty: Decimal
    target: Decimal
    raw_need: Decimal
    forecast_cover: Decimal
    safety_stock: Decimal
    binding: str | None
    explanation: dict[str, Any]


# --- calendar ---------------------------------------------------------------------------------------------


def is_order_day(day: date, order_days: Iterable[str]) -> bool:
    days = {d.lower()[:3] for d in order_days}
    return not days or WEEKDAYS[day.weekday()] in days


def review_period(today: date, order_days: Iterable[str]) -> int:
    """Days from ``today`` to the next order opportunity after it (1 when any day is an order day)."""
    days = {d.lower()[:3] for d in order_days}
    if not days:
        return 1
    for n in range(1, 8):
        if WEEKDAYS[(today + timedelta(days=n)).weekday()] in days:
            return n
    return 7


def arrival_day(today: date, lead_days: int, delivery_days: Iterable[str] = ()) -> date:
    """When an order placed today arrives: after the lead time, on the next delivery day."""
    day = today + timedelta(days=lead_days)
    wanted = {d.lower()[:3] for d in delivery_days}
    for _ in range(7):
        if not wanted or WEEKDAYS[day.weekday()] in wanted:
            return day
        day += timedelta(days=1)
    return day


# --- position -----------------------------------------------------------------------------------------------


def expiring_before(
    lots: Iterable[tuple[date | None, Decimal]], arrival: date, forecast: Sequence[DayForecast], today: date
) -> Decimal:
    """On-hand quantity expected to expire unsold before ``arrival``: lots are sold first-expiring-first
    against the forecast (a lot sells through its expiry day); what a lot expiring before the arrival cannot
    sell by its expiry is lost."""
    daily = {f.day: f.mean for f in forecast}
    used = lost = ZERO
    for expiry, qty in sorted(((e, x) for e, x in lots if e is not None), key=lambda t: t[0]):
        if expiry >= arrival:
            break
        demand = sum((daily.get(today + timedelta(days=i), ZERO) for i in range((expiry - today).days + 1)), ZERO)
        take = min(qty, max(ZERO, demand - used))
        used += take
        lost += qty - take
    return lost


# --- rounding and constraints -------------------------------------------------------------------------------


def round_step(x: Decimal, step: Decimal, rounding: str) -> Decimal:
    if step <= 0:
        return x
    return (x / step).quantize(ONE, rounding=rounding) * step


def round_nearest_safe(need: Decimal, step: Decimal, position: Decimal, cover: Decimal) -> tuple[Decimal, str]:
    """``need`` to the nearest multiple of ``step``; a rounding down is refused (rounded up instead) when the
    expected stock at the end of the cover period would be negative. Returns (qty, "down" | "up" |
    "up_protect" | "exact")."""
    if step <= 0:
        return need, "exact"
    near = round_step(need, step, ROUND_HALF_EVEN)  # ties alternate: no bias on whole numbers
    if near == need:
        return near, "exact"
    if near > need:
        return near, "up"
    if position + near < cover:
        return round_step(need, step, ROUND_CEILING), "up_protect"
    return near, "down"


class _Steps:
    def __init__(self, qty: Decimal) -> None:
        self.qty = qty
        self.items: list[dict[str, Any]] = []
        self.binding: str | None = None

    def apply(self, rule: str, after: Decimal, binds: bool = False, **detail: Any) -> None:
        info = {k: (str(q(v)) if isinstance(v, Decimal) else v) for k, v in detail.items()}
        self.items.append({"rule": rule, "before": str(q(self.qty)), "after": str(q(after)), "detail": info})
        if after != self.qty or binds:
            self.binding = rule
        self.qty = after


# --- the line -----------------------------------------------------------------------------------------------


def cover_days(inp: LineInput) -> tuple[int, int]:
    """(lead days rounded up, cover days = lead + review)."""
    lead = int(inp.lead_time.mean_days.to_integral_value(rounding=ROUND_CEILING))
    return lead, lead + max(inp.review_days, 1)


def safety_stock(inp: LineInput, days: Sequence[DayForecast]) -> tuple[Decimal, dict[str, Any]]:
    z = z_value(inp.policy.service_level)
    var_days = sum((d.sigma * d.sigma for d in days), ZERO)
    mu_d = sum((d.mean for d in days), ZERO) / len(days) if days else ZERO
    var_lead = mu_d * mu_d * inp.lead_time.std_days * inp.lead_time.std_days
    sigma = dec_sqrt(var_days + var_lead)
    sigma_d = dec_sqrt(var_days / len(days)) if days else ZERO
    stat = q(z * sigma)
    manual = inp.limits.safety_stock
    ss, source = (manual, "assortment") if manual is not None and manual > stat else (stat, "forecast")
    return ss, {
        "service_level": str(inp.policy.service_level), "z": str(z), "sigma_daily": str(q(sigma_d)),
        "sigma_lead_time": str(q(dec_sqrt(var_lead))), "sigma_cover": str(q(sigma)), "statistical": str(stat),
        "manual": None if manual is None else str(q(manual)), "safety_stock": str(q(ss)), "source": source,
    }  # fmt: skip


def raw_order(inp: LineInput, cover: Decimal, ss: Decimal) -> tuple[Decimal, Decimal, str | None]:
    """(target level, raw need, reason for no order) by the policy's method."""
    ip = inp.position.value
    m, lim = inp.policy.method, inp.limits
    if m == "order_up_to":
        target = cover + ss
        return target, max(ZERO, target - ip), None
    if m == "min_max":
        lo = lim.min_qty if lim.min_qty is not None else lim.reorder_point
        hi = lim.max_qty
        if lo is None or hi is None:
            return ZERO, ZERO, "min_max_unset"
        if ip > lo:
            return hi, ZERO, "above_min"
        return hi, max(ZERO, hi - ip), None
    if m == "fixed_qty":
        trigger = lim.reorder_point if lim.reorder_point is not None else lim.min_qty
        if trigger is None:
            trigger = cover + ss
        fixed = inp.policy.fixed_qty or ZERO
        if ip > trigger:
            return trigger, ZERO, "above_reorder_point"
        return trigger, fixed, None
    raise ValueError(f"unknown method {m!r}")


def compute_line(inp: LineInput) -> LineResult:
    """The order quantity of one site x item and why (see the module docstring for the method)."""
    lead, days_n = cover_days(inp)
    days = [f for f in inp.forecast if inp.today <= f.day < inp.today + timedelta(days=days_n)]
    cover = sum((d.mean for d in days), ZERO)
    ss, safety = safety_stock(inp, days)
    ip = inp.position.value
    target, need, reason = raw_order(inp, cover, ss)
    steps = _Steps(need)
    pk = inp.pack
    if need > 0 and inp.policy.method != "fixed_qty":
        qty, how = round_nearest_safe(need, pk.case, ip, cover)
        steps.apply("case_round", qty, case=pk.case, direction=how)
        if pk.pallet > 0 and steps.qty >= pk.pallet:
            qty, how = round_nearest_safe(steps.qty, pk.pallet, ip, cover)
            steps.apply("pallet_round", qty, pallet=pk.pallet, direction=how)
    elif need > 0:
        steps.apply("case_round", round_step(need, pk.case, ROUND_CEILING), case=pk.case, direction="up")
    if steps.qty > 0 and pk.moq > 0 and steps.qty < pk.moq:
        if need * 2 < pk.moq and ip >= cover:
            steps.apply("moq_wait", ZERO, moq=pk.moq)
        else:
            steps.apply("moq", round_step(pk.moq, pk.case, ROUND_CEILING), moq=pk.moq)
    _caps(inp, steps, ip, lead)
    qty = q(steps.qty)
    expl = {
        "method": inp.policy.method, "qty": str(qty), "binding": steps.binding, "reason": reason,
        "cover": {"lead_time_days": str(inp.lead_time.mean_days), "lead_time_std": str(inp.lead_time.std_days),
                  "lead_time_samples": inp.lead_time.samples, "review_days": inp.review_days, "days": days_n,
                  "from": inp.today.isoformat(), "to": (inp.today + timedelta(days=days_n - 1)).isoformat()},
        "forecast": _forecast_part(inp, cover, days_n), "safety": safety, "position": inp.position.as_dict(),
        "target": str(q(target)), "raw_need": str(q(need)), "steps": steps.items,
    }  # fmt: skip
    return LineResult(qty, q(target), q(need), q(cover), q(ss), steps.binding, expl)


def _forecast_part(inp: LineInput, cover: Decimal, days_n: int) -> dict[str, Any]:
    base = None if inp.baseline_daily is None else q(inp.baseline_daily * days_n)
    uplift = None if base is None or base <= 0 else str(q((cover - base) / base * 100))
    return {"cover": str(q(cover)), "daily": str(q(cover / days_n)), "baseline": None if base is None else str(base),
            "uplift_pct": uplift, "promo": inp.promo}  # fmt: skip


def _caps(inp: LineInput, steps: _Steps, ip: Decimal, lead: int) -> None:
    if steps.qty <= 0:
        return
    case = inp.pack.case
    cap_max = inp.limits.max_qty
    if cap_max is not None and inp.policy.method != "min_max" and ip + steps.qty > cap_max:
        steps.apply("shelf_capacity", max(ZERO, round_step(cap_max - ip, case, ROUND_FLOOR)), max_qty=cap_max)
    life = inp.shelf_life_days
    if inp.policy.shelf_life_cap and life is not None and life > 0 and steps.qty > 0:
        sellable = demand_until(inp.forecast, inp.today, lead + life)
        cap = max(ZERO, round_step(sellable - ip, case, ROUND_FLOOR))
        if steps.qty > cap:
            steps.apply("shelf_life", cap, shelf_life_days=life, sellable=sellable)


def demand_until(forecast: Sequence[DayForecast], today: date, days: int) -> Decimal:
    """Forecast demand over ``days`` days from today; days past the end of the forecast count at the mean of
    its last 7 days (a cap never shrinks because the forecast is short)."""
    until = today + timedelta(days=days)
    inside = [f for f in forecast if today <= f.day < until]
    total = sum((f.mean for f in inside), ZERO)
    missing = days - len(inside)
    if missing > 0 and forecast:
        tail = forecast[-7:]
        total += sum((f.mean for f in tail), ZERO) / len(tail) * missing
    return total


# --- budget ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    key: int
    qty: Decimal
    case: Decimal
    unit_cost: Decimal
    position: Decimal
    daily: Decimal  # forecast per day
    abc: str = "B"


def trim_to_budget(lines: Sequence[BudgetLine], budget: Decimal) -> dict[int, Decimal]:
    """New quantities so that sum(qty x unit cost) <= budget, cutting one case at a time from the line that
    loses the least service: C before B before A, then the line whose stock after the cut would still cover
    the most days. Returns only the lines that were cut (key -> new qty)."""
    import heapq

    qty = {ln.key: ln.qty for ln in lines}
    total = sum((ln.qty * ln.unit_cost for ln in lines), ZERO)
    rank = {"C": 0, "B": 1, "A": 2}

    def prio(ln: BudgetLine) -> tuple[int, Decimal, int]:
        after = ln.position + qty[ln.key] - ln.case
        cover = after / ln.daily if ln.daily > 0 else Decimal(10**9)
        return (rank.get(ln.abc, 1), -cover, ln.key)

    heap = [(prio(ln), i) for i, ln in enumerate(lines) if ln.qty > 0 and ln.unit_cost > 0]
    heapq.heapify(heap)
    while total > budget and heap:
        _, i = heapq.heappop(heap)
        ln = lines[i]
        cut = min(ln.case if ln.case > 0 else qty[ln.key], qty[ln.key])
        qty[ln.key] -= cut
        total -= cut * ln.unit_cost
        if qty[ln.key] > 0:
            heapq.heappush(heap, (prio(ln), i))
    return {ln.key: qty[ln.key] for ln in lines if qty[ln.key] != ln.qty}


# --- classification -----------------------------------------------------------------------------------------


def abc_xyz(
    sales: Mapping[int, Sequence[Decimal]], prices: Mapping[int, Decimal], a_share: Decimal = Decimal("0.8"),
    b_share: Decimal = Decimal("0.95"),
) -> dict[int, str]:  # fmt: skip
    """ABC by cumulative sales value (A: the items making the first 80%, B: to 95%, C: the rest) and XYZ by
    the coefficient of variation of daily demand (X <= 0.5 < Y <= 1.0 < Z); "AX", "CZ", ..."""
    value = {i: sum(s, ZERO) * prices.get(i, ZERO) for i, s in sales.items()}
    total = sum(value.values(), ZERO)
    out: dict[int, str] = {}
    run = ZERO
    for i in sorted(value, key=lambda k: (-value[k], k)):
        share = run / total if total > 0 else ONE
        abc = "A" if share < a_share and value[i] > 0 else "B" if share < b_share and value[i] > 0 else "C"
        run += value[i]
        out[i] = abc + _xyz(sales[i])
    return out


def _xyz(series: Sequence[Decimal]) -> str:
    n = len(series)
    if n == 0:
        return "Z"
    mean = sum(series, ZERO) / n
    if mean <= 0:
        return "Z"
    var = sum(((x - mean) ** 2 for x in series), ZERO) / n
    cv = dec_sqrt(var) / mean
    return "X" if cv <= Decimal("0.5") else "Y" if cv <= ONE else "Z"


def deviation_pct(suggested: Decimal, new: Decimal) -> Decimal:
    """How far a reviewed quantity is from the suggestion, in % of the suggestion (100 when it was 0)."""
    if suggested == 0:
        return ZERO if new == 0 else Decimal(100)
    return q(abs(new - suggested) / suggested * 100)


# --- which policy, which source -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRule:
    id: int
    site_id: int | None
    category_id: int | None
    item_class: str | None  # "A" matches AX/AY/AZ; "AX" only AX
    policy: Policy


def pick_policy(
    rules: Sequence[PolicyRule], site_id: int, category_id: int | None, item_class: str
) -> PolicyRule | None:
    """The most specific matching rule: site beats category beats item class (ties: the lowest id)."""
    best: tuple[int, int] | None = None
    found: PolicyRule | None = None
    for r in rules:
        if r.site_id is not None and r.site_id != site_id:
            continue
        if r.category_id is not None and r.category_id != category_id:
            continue
        if r.item_class is not None and not item_class.startswith(r.item_class):
            continue
        score = (4 if r.site_id else 0) + (2 if r.category_id else 0) + (1 if r.item_class else 0)
        key = (-score, r.id)
        if best is None or key < best:
            best, found = key, r
    return found


@dataclass(frozen=True)
class SourceRule:
    id: int
    site_id: int | None
    region_id: int | None
    item_id: int | None
    category_id: int | None
    source: str  # supplier | site
    supplier_id: int | None = None
    from_site_id: int | None = None
    lead_time_days: int | None = None
    order_days: tuple[str, ...] = ()


def pick_source(
    rules: Sequence[SourceRule], site_id: int, region_id: int | None, item_id: int, category_id: int | None
) -> SourceRule | None:
    """Precedence: a rule for the item beats one for its category beats one for everything; among those, one
    for the site beats one for its region beats one for every site. A site never sources from itself."""
    best: tuple[int, int, int] | None = None
    found: SourceRule | None = None
    for r in rules:
        if r.from_site_id == site_id:
            continue
        if r.item_id is not None and r.item_id != item_id:
            continue
        if r.category_id is not None and (r.item_id is not None or r.category_id != category_id):
            continue
        if r.site_id is not None and r.site_id != site_id:
            continue
        if r.region_id is not None and (r.site_id is not None or r.region_id != region_id):
            continue
        what = 2 if r.item_id else 1 if r.category_id else 0
        where = 2 if r.site_id else 1 if r.region_id else 0
        key = (-what, -where, r.id)
        if best is None or key < best:
            best, found = key, r
    return found

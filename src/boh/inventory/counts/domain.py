"""Pure stocktake rules: the status machine, ABC classes, variance and its value, the recount rule and the
approval rule. No I/O; unit-tested without a database.

Variance rule (the SAP "frozen book inventory" rule): the count describes the stock at the moment the
expected quantities were frozen, so ``variance = counted - frozen expected`` and the posted count_variance
move is exactly that. Moves posted after the freeze (sales while counting) are not erased: they stay in the
balance on top of the adjustment, so after posting ``on_hand = counted + net moves since the freeze``. A
line whose balance moved since the freeze is reported with ``moved_since_freeze`` (the net quantity) at
review and in the posting result, so the reviewer can recount it when the counter may have seen the stock
after (or before) those moves.

ABC classes are computed from the value of the sales of the last 90 days at the site (sum of the sold
quantity times the item's current moving average cost): the items making up the first 80% of that value
are A, the next 15% B, the rest (and items without sales) C.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
MONEY_Q = Decimal("0.000001")
QTY_Q = Decimal("0.000001")
HUNDRED = Decimal(100)

STATUSES = ("draft", "counting", "review", "approved", "posted", "cancelled")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"counting", "cancelled"}),
    "counting": frozenset({"review", "cancelled"}),
    "review": frozenset({"counting", "approved", "cancelled"}),
    "approved": frozenset({"posted", "cancelled"}),
    "posted": frozenset(),
    "cancelled": frozenset(),
}
HIDDEN_WHILE = frozenset({"draft", "counting"})  # a blind count hides expected quantities in these states
ABC_A, ABC_B = Decimal("0.80"), Decimal("0.95")
ABC_DAYS = 90


@dataclass(frozen=True)
class Thresholds:
    approval_threshold: Decimal  # total |variance value| above which a manager must approve
    recount_pct: Decimal  # |variance| / expected above this percentage needs a recount
    recount_value: Decimal  # |variance value| above this needs a recount


DEFAULTS = Thresholds(Decimal("1000.00"), Decimal("10"), Decimal("50.00"))


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_Q, rounding=ROUND_HALF_UP)


def abc_classes(values: Mapping[int, Decimal]) -> dict[int, str]:
    """A/B/C per item from its usage value: sorted by value (then id), A while the value before the item is
    under 80% of the total, B under 95%, else C; items with no value are C."""
    total = sum((v for v in values.values() if v > 0), ZERO)
    out: dict[int, str] = {}
    running = ZERO
    for item_id, value in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
        if value <= 0 or total == 0:
            out[item_id] = "C"
            continue
        share = running / total
        out[item_id] = "A" if share < ABC_A else "B" if share < ABC_B else "C"
        running += value
    return out


@dataclass(frozen=True)
class Variance:
    variance: Decimal | None
    value: Decimal | None
    recount_required: bool


def variance(
    expected: Decimal, counted: Decimal | None, unit_cost: Decimal, t: Thresholds, *, recounted: bool
) -> Variance:
    """Variance of one line, its value at the moving average, and whether it needs a recount (only on the
    first round: a recounted line's variance is what it is)."""
    if counted is None:
        return Variance(None, None, False)
    diff = counted - expected
    value = money(diff * unit_cost)
    return Variance(diff, value, not recounted and needs_recount(expected, diff, value, t))


def needs_recount(expected: Decimal, diff: Decimal, value: Decimal, t: Thresholds) -> bool:
    if diff == 0:
        return False
    if abs(value) > t.recount_value:
        return True
    if expected == 0:
        return True  # stock found where none was expected: an infinite percentage
    return abs(diff) * HUNDRED / abs(expected) > t.recount_pct


def needs_manager(total_abs_value: Decimal, t: Thresholds) -> bool:
    return total_abs_value > t.approval_threshold


def is_manager_at(over_threshold_sites: frozenset[int] | None, held: bool, site_id: int) -> bool:
    """Whether the approver is a manager *of this site*: it holds the over-threshold approval (regional
    managers, HQ) for the count's site (None: every site). A role name alone is not enough: a regional
    manager of another region, who is also a store manager here, is not this store's manager."""
    return held and (over_threshold_sites is None or site_id in over_threshold_sites)


def blocking(expected: Decimal, counted: Decimal | None, recount_required: bool, accepted: bool) -> str | None:
    """Why a line stops approval, or None. A line expected empty and not counted is simply empty."""
    if counted is None and expected != 0:
        return "not counted: confirm it as zero or recount it"
    if recount_required and not accepted:
        return "variance above the recount threshold: recount it or accept the variance"
    return None


def entry_qty_problem(qty: Decimal, method: str) -> str | None:
    if not qty.is_finite() or qty < 0:
        return "quantity must be zero or more"
    if method == "rfid" and qty != 1:
        return "an RFID read counts one base unit"
    if qty != qty.quantize(QTY_Q):
        return "quantity has more than 6 decimal places"
    return None

"""A store's risk score and the reasons behind it (pure).

Points, capped per reason, summed and capped at 100:
  never_inspected 25; last_score_low (100 - last score) / 2, at most 30; repeat_failures 5 per item failed
  in two or more of the last three inspections, at most 20; open_actions 2 each, at most 10;
  overdue_actions 5 each, at most 20; and from other domains' facts of the last 90 days:
  stock_discrepancy 3 each (15), shrink 2 (10), stockout 1 (10), waste 2 (10), cold_chain 5 (20).
A risk of 60 or more halves a risk-based rule's interval, 35 or more shortens it to three quarters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SIGNAL_POINTS: dict[str, tuple[Decimal, Decimal]] = {
    "stock_discrepancy": (Decimal(3), Decimal(15)),
    "shrink": (Decimal(2), Decimal(10)),
    "stockout": (Decimal(1), Decimal(10)),
    "waste": (Decimal(2), Decimal(10)),
    "cold_chain": (Decimal(5), Decimal(20)),
}
SIGNAL_DAYS = 90


@dataclass(frozen=True)
class RiskFacts:
    last_score: Decimal | None = None  # None: never inspected
    repeat_failures: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    signals: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RiskReason:
    code: str
    points: Decimal
    value: str | None = None


@dataclass(frozen=True)
class Risk:
    score: Decimal
    reasons: tuple[RiskReason, ...]

    @property
    def factor(self) -> Decimal:
        """How much of a risk-based rule's interval applies."""
        if self.score >= 60:
            return Decimal("0.5")
        if self.score >= 35:
            return Decimal("0.75")
        return Decimal(1)


def _capped(code: str, count: int, each: Decimal, cap: Decimal) -> RiskReason | None:
    return RiskReason(code, min(each * count, cap), str(count)) if count > 0 else None


def risk_of(facts: RiskFacts) -> Risk:
    reasons: list[RiskReason | None] = []
    if facts.last_score is None:
        reasons.append(RiskReason("never_inspected", Decimal(25)))
    elif facts.last_score < 100:
        pts = min((Decimal(100) - facts.last_score) / 2, Decimal(30)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        reasons.append(RiskReason("last_score_low", pts, str(facts.last_score.quantize(Decimal("0.01")))))
    reasons.append(_capped("repeat_failures", facts.repeat_failures, Decimal(5), Decimal(20)))
    reasons.append(_capped("open_actions", facts.open_actions, Decimal(2), Decimal(10)))
    reasons.append(_capped("overdue_actions", facts.overdue_actions, Decimal(5), Decimal(20)))
    for kind, (each, cap) in SIGNAL_POINTS.items():
        reasons.append(_capped(kind, facts.signals.get(kind, 0), each, cap))
    kept = tuple(r for r in reasons if r is not None and r.points > 0)
    return Risk(min(sum((r.points for r in kept), Decimal(0)), Decimal(100)), kept)


def repeat_failures(failed_items_by_visit: Sequence[Sequence[str]]) -> int:
    """Items failed in at least two of the last three inspections (newest first)."""
    seen: dict[str, int] = {}
    for failed in failed_items_by_visit[:3]:
        for key in set(failed):
            seen[key] = seen.get(key, 0) + 1
    return sum(1 for n in seen.values() if n >= 2)

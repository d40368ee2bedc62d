"""Pure rules of inspections (no I/O): answers checked against their item, conditions, the score, the
corrective actions a result calls for, and the geofence.

Scoring: every visible, scored item that is answered and not N/A contributes its weight to the possible
points and what it earned (a yes/no or range item all or nothing, a scale item value/scale_max of it, a
choice item the share of the best points it could earn). percent = earned / possible x 100, rounded half up
to 0.01. A failed critical item fails the whole inspection: its score is 0. The inspection passes when no
critical item failed and percent >= the template's pass score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from boh.inspections.definition import SCORED, Definition, Item

Outcome = Literal["pass", "fail", "na", "info", "missing", "hidden"]
AnswerValue = str | list[str] | None
NA = "na"
ZERO, HUNDRED, CENT = Decimal(0), Decimal(100), Decimal("0.01")
MAX_TEXT = 4000
MAX_SIGNATURE = 200_000  # a signature pad's PNG data URL


class AnswerError(ValueError):
    """An answer that its item cannot take; the message says why."""


@dataclass(frozen=True)
class Answer:
    value: AnswerValue = None
    photos: int = 0  # photos attached to the item


def _number(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise AnswerError("not a number") from None
    if not value.is_finite() or abs(value) >= 10**9:
        raise AnswerError("not a number")
    return value


def normalize(item: Item, value: AnswerValue) -> AnswerValue:
    """The answer as stored (a string, or a list of option keys for a multiple choice); AnswerError if the
    item cannot take it. None clears the answer."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        if item.kind != "choice" or not item.multi:
            raise AnswerError("a list is only an answer to a multiple choice")
        keys = {o.key for o in item.options}
        unknown = [v for v in value if v not in keys]
        if unknown:
            raise AnswerError(f"unknown option(s): {', '.join(map(str, unknown))}")
        return sorted(set(value), key=[o.key for o in item.options].index)
    text = str(value).strip()
    if text == NA and item.kind not in ("text", "signature"):
        return NA
    if item.kind == "yes_no":
        if text not in ("yes", "no"):
            raise AnswerError("answer yes, no or na")
        return text
    if item.kind == "scale":
        n = _number(text)
        if n != n.to_integral_value() or not 0 <= n <= (item.scale_max or 0):
            raise AnswerError(f"a whole number from 0 to {item.scale_max}")
        return str(int(n))
    if item.kind in ("number", "temperature"):
        return format(_number(text).normalize(), "f")
    if item.kind == "choice":
        keys = {o.key for o in item.options}
        if text not in keys:
            raise AnswerError("not one of the options")
        return [text] if item.multi else text
    limit = MAX_SIGNATURE if item.kind == "signature" else MAX_TEXT
    if len(text) > limit:
        raise AnswerError(f"longer than {limit} characters")
    return text  # text, photo (a remark), signature


@dataclass(frozen=True)
class ItemResult:
    key: str
    outcome: Outcome
    earned: Decimal = ZERO
    possible: Decimal = ZERO


def _in_range(item: Item, value: Decimal) -> bool:
    return (item.min is None or value >= item.min) and (item.max is None or value <= item.max)


def _choice(item: Item, value: AnswerValue) -> tuple[Outcome, Decimal]:
    chosen = value if isinstance(value, list) else [str(value)]
    by_key = {o.key: o for o in item.options}
    picked = [by_key[k] for k in chosen if k in by_key]
    best = sum((o.points for o in item.options), ZERO) if item.multi else max(o.points for o in item.options)
    failed = any(o.fails for o in picked) or not picked
    if best == ZERO:
        return ("fail", ZERO) if failed else ("pass", item.weight)
    got = sum((o.points for o in picked), ZERO)
    return ("fail" if failed else "pass"), item.weight * min(got, best) / best


def judge(item: Item, answer: Answer | None) -> ItemResult:
    """The outcome of one visible item and the points it earned of those it could."""
    value = answer.value if answer else None
    photos = answer.photos if answer else 0
    if item.kind == "photo":
        if photos > 0:
            return ItemResult(item.key, "pass", item.weight, item.weight)
        if value == NA:
            return ItemResult(item.key, "na")
        return ItemResult(item.key, "missing" if item.required else "info")
    if value is None:
        return ItemResult(item.key, "missing" if item.required else "info")
    if value == NA and item.kind in SCORED:
        return ItemResult(item.key, "na")
    if item.kind not in SCORED:
        return ItemResult(item.key, "info")
    w = item.weight
    if item.kind == "yes_no":
        ok = value == item.pass_value
        return ItemResult(item.key, "pass" if ok else "fail", w if ok else ZERO, w)
    if item.kind == "scale":
        n = Decimal(str(value))
        ok = item.pass_min is None or n >= item.pass_min
        return ItemResult(item.key, "pass" if ok else "fail", w * n / Decimal(item.scale_max or 1), w)
    if item.kind in ("number", "temperature"):
        ok = _in_range(item, Decimal(str(value)))
        return ItemResult(item.key, "pass" if ok else "fail", w if ok else ZERO, w)
    outcome, earned = _choice(item, value)
    return ItemResult(item.key, outcome, earned, w)


def _shown(item: Item, results: Mapping[str, ItemResult], answers: Mapping[str, Answer]) -> bool:
    cond = item.show_if
    if cond is None:
        return True
    prior = results.get(cond.item)
    if prior is None or prior.outcome == "hidden":
        return False
    if cond.failed is not None:
        return prior.outcome == ("fail" if cond.failed else "pass")
    raw = answers[cond.item].value if cond.item in answers else None
    given = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
    return any(v in (cond.equals or []) for v in given)


@dataclass(frozen=True)
class Result:
    items: dict[str, ItemResult]
    earned: Decimal
    possible: Decimal
    percent: Decimal | None  # None: nothing scored (every scored item N/A)
    score: Decimal | None  # percent, or 0 when a critical item failed
    passed: bool
    critical_failed: tuple[str, ...]
    failed: tuple[str, ...]
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def visible(self) -> list[str]:
        return [k for k, r in self.items.items() if r.outcome != "hidden"]


def evaluate(definition: Definition, answers: Mapping[str, Answer]) -> Result:
    """Conditions, outcomes and the score of a set of answers (items in template order)."""
    results: dict[str, ItemResult] = {}
    for item in definition.items():
        if not _shown(item, results, answers):
            results[item.key] = ItemResult(item.key, "hidden")
            continue
        results[item.key] = judge(item, answers.get(item.key))
    earned = sum((r.earned for r in results.values()), ZERO)
    possible = sum((r.possible for r in results.values()), ZERO)
    percent = (earned * HUNDRED / possible).quantize(CENT, ROUND_HALF_UP) if possible > 0 else None
    items = {i.key: i for i in definition.items()}
    failed = tuple(k for k, r in results.items() if r.outcome == "fail")
    critical = tuple(k for k in failed if items[k].critical)
    score = ZERO.quantize(CENT) if critical else percent
    passed = not critical and (percent is None or percent >= definition.pass_score)
    missing = tuple(k for k, r in results.items() if r.outcome == "missing")
    return Result(results, earned, possible, percent, score, passed, critical, failed, missing)


# --- corrective actions ------------------------------------------------------------------------------

DUE_DAYS: dict[str, int] = {"critical": 1, "high": 3, "medium": 7, "low": 14}


def due_date(severity: str, on: date, due_days: Mapping[str, int] | None = None) -> date:
    """When the action of a failed item of this severity is due, counted from the inspection's day."""
    days = (due_days or DUE_DAYS).get(severity, DUE_DAYS["medium"])
    return on + timedelta(days=days)


def action_severity(item: Item) -> str:
    """A critical or food-safety item's failure is always critical."""
    return "critical" if item.critical or item.food_safety else item.severity


def food_safety_alert(item: Item, result: ItemResult) -> bool:
    """A failed food-safety item (a chiller above its limit) raises an alert at once."""
    return item.food_safety and result.outcome == "fail"


def answered_out_of_range(item: Item, value: AnswerValue) -> bool:
    """A food-safety reading out of its range, judged as it is entered (before the inspection is submitted)."""
    if not item.food_safety or item.kind not in ("number", "temperature") or not isinstance(value, str):
        return False
    if value == NA:
        return False
    return not _in_range(item, Decimal(value))


# --- escalation ---------------------------------------------------------------------------------------

ESCALATION_LADDER = ("store_manager", "regional_manager", "hq_admin")


def escalation_level(due: date, today: date, step_days: int = 2) -> int:
    """0 while not overdue; 1 on the first day overdue (the regional manager is told), 2 after
    ``step_days`` more (HQ); never above the top of the ladder."""
    if today <= due:
        return 0
    overdue = (today - due).days
    return min(1 + (overdue - 1) // max(step_days, 1), len(ESCALATION_LADDER) - 1)


# --- geofence -----------------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


CheckinVerdict = Literal["inside", "flagged", "refused"]


def checkin_verdict(distance: float | None, accuracy: float | None, radius_m: int, policy: str) -> CheckinVerdict:
    """Inside the geofence when the position (less its reported accuracy, at most the radius again) is within
    the radius; outside, the policy refuses the check-in or lets it through flagged. A store without
    coordinates cannot be checked: flagged."""
    if distance is None:
        return "flagged"
    slack = min(max(accuracy or 0.0, 0.0), float(radius_m))
    if distance - slack <= radius_m:
        return "inside"
    return "refused" if policy == "refuse" else "flagged"

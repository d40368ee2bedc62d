"""Pure rules of the catalog: units of measure and their exact conversions, pack rounding, order
quantities (MOQ, multiples), price breaks, allergens and weekdays. No I/O; unit-tested without a DB.

Every item has a base unit (the unit stock is kept in) and any number of other units, each with a
factor: how many base units one of it holds (a case of 12 each: ``case = 12``; grams of a kilogram
item: ``g = 0.001``). Conversions are exact: a result that a decimal cannot hold exactly (1 each in a
unit of 3) is refused, never rounded. Rounding to whole packs is a separate, explicit step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Final

from boh.catalog.errors import FractionalQuantity, InexactConversion, UnknownUnit

# Base units and whether they count whole pieces. Spelling is canonical ("L", "mL").
BASE_UNITS: Final[dict[str, bool]] = {
    "each": True,
    "portion": True,
    "kg": False,
    "g": False,
    "L": False,
    "mL": False,
    "m": False,
}
# Units every item of a metric base understands without configuration.
IMPLIED_UNITS: Final[dict[str, dict[str, Decimal]]] = {
    "kg": {"g": Decimal("0.001")},
    "g": {"kg": Decimal(1000)},
    "L": {"mL": Decimal("0.001")},
    "mL": {"L": Decimal(1000)},
}
_CANONICAL = {u.lower(): u for u in BASE_UNITS}
UNIT_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")

# 60 significant digits and every imprecision trapped: an operation is exact or it raises.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])

EU_ALLERGENS: Final[tuple[str, ...]] = (
    "celery",
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "lupin",
    "milk",
    "molluscs",
    "mustard",
    "nuts",
    "peanuts",
    "sesame",
    "soybeans",
    "sulphites",
)
WEEKDAYS: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def canonical_unit(code: str) -> str:
    """'KG' -> 'kg', 'l' -> 'L', 'Case' -> 'case': standard units keep their spelling, others are lower."""
    c = code.strip()
    if not UNIT_CODE.match(c):
        raise UnknownUnit(f"'{code}' is not a valid unit code")
    return _CANONICAL.get(c.lower(), c.lower())


def is_whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


@dataclass(frozen=True)
class UnitTable:
    """The units of one item: its base unit and the factor (in base units) of each other unit."""

    base: str
    factors: Mapping[str, Decimal] = field(default_factory=dict)

    @classmethod
    def build(cls, base: str, explicit: Mapping[str, Decimal] | Iterable[tuple[str, Decimal]]) -> UnitTable:
        pairs = explicit.items() if isinstance(explicit, Mapping) else explicit
        factors: dict[str, Decimal] = dict(IMPLIED_UNITS.get(base, {}))
        factors.update({canonical_unit(u): Decimal(f) for u, f in pairs})
        factors[base] = Decimal(1)
        return cls(base=base, factors=factors)

    @property
    def whole_base(self) -> bool:
        return BASE_UNITS.get(self.base, True)

    @property
    def units(self) -> list[str]:
        return sorted(self.factors)

    def factor(self, uom: str) -> Decimal:
        try:
            return self.factors[canonical_unit(uom)]
        except KeyError:
            raise UnknownUnit(
                f"unit '{uom}' is not defined for this item (known: {', '.join(self.units)})", unit=uom
            ) from None

    def _check_whole(self, base_qty: Decimal, qty: Decimal, uom: str) -> None:
        if self.whole_base and not is_whole(base_qty):
            raise FractionalQuantity(
                f"{qty} {uom} is {base_qty.normalize()} {self.base}; {self.base} is counted in whole units"
            )

    def to_base(self, qty: Decimal, uom: str) -> Decimal:
        """``qty`` of ``uom`` in base units, exactly."""
        try:
            result = _EXACT.multiply(qty, self.factor(uom))
        except (Inexact, InvalidOperation, Overflow) as exc:
            raise InexactConversion(f"{qty} {uom} cannot be converted exactly") from exc
        self._check_whole(result, qty, uom)
        return result

    def from_base(self, qty: Decimal, uom: str) -> Decimal:
        """``qty`` base units expressed in ``uom``, exactly (18 each = 1.5 case); refused if not exact."""
        factor = self.factor(uom)
        self._check_whole(qty, qty, self.base)
        try:
            return _EXACT.divide(qty, factor)
        except (Inexact, InvalidOperation, DivisionByZero, Overflow) as exc:
            raise InexactConversion(
                f"{qty} {self.base} is not an exact number of {uom} (1 {uom} = {factor} {self.base})"
            ) from exc

    def convert(self, qty: Decimal, from_uom: str, to_uom: str) -> Decimal:
        return self.from_base(self.to_base(qty, from_uom), to_uom)

    def packs(self, qty: Decimal, uom: str, rounding: str = ROUND_CEILING) -> Decimal:
        """The whole number of ``uom`` packs covering ``qty`` base units (ceiling) or fitting in it (floor)."""
        return packs_for(qty, self.factor(uom), rounding)


def packs_for(qty: Decimal, pack_size: Decimal, rounding: str = ROUND_CEILING) -> Decimal:
    """Whole packs of ``pack_size`` for ``qty``: ROUND_CEILING (cover it) or ROUND_FLOOR (not more)."""
    if rounding not in (ROUND_CEILING, ROUND_FLOOR):
        raise ValueError("rounding must be ROUND_CEILING or ROUND_FLOOR")
    if pack_size <= 0:
        raise ValueError("pack size must be positive")
    with localcontext(_EXACT):
        quotient, remainder = divmod(qty, pack_size)  # truncates toward zero, exactly
        if rounding == ROUND_CEILING and remainder > 0:
            quotient += 1
        elif rounding == ROUND_FLOOR and remainder < 0:
            quotient -= 1
        return quotient


def round_to_multiple(qty: Decimal, multiple: Decimal, rounding: str = ROUND_CEILING) -> Decimal:
    """``qty`` rounded to a multiple of ``multiple`` (25 by 12, ceiling: 36; floor: 24)."""
    with localcontext(_EXACT):
        return packs_for(qty, multiple, rounding) * multiple


def order_quantity(
    need: Decimal, *, moq: Decimal = Decimal(0), multiple: Decimal | None = None, rounding: str = ROUND_CEILING
) -> Decimal:
    """A supplier-valid order quantity (in purchase units) for ``need``.

    Ceiling: at least ``need`` and the MOQ, rounded up to the order multiple. Floor: at most ``need``,
    rounded down to the multiple; 0 if that falls below the MOQ. Nothing is ordered for need <= 0.
    """
    if need <= 0:
        return Decimal(0)
    step = multiple if multiple is not None and multiple > 0 else None
    if rounding == ROUND_CEILING:
        qty = max(need, moq)
        return round_to_multiple(qty, step, ROUND_CEILING) if step else qty
    if rounding != ROUND_FLOOR:
        raise ValueError("rounding must be ROUND_CEILING or ROUND_FLOOR")
    qty = round_to_multiple(need, step, ROUND_FLOOR) if step else need
    return qty if qty >= moq and qty > 0 else Decimal(0)


@dataclass(frozen=True)
class PriceBreak:
    min_qty: Decimal
    price: Decimal


def check_price_breaks(breaks: Sequence[PriceBreak]) -> list[str]:
    """Problems with a price-break ladder: positive, strictly increasing quantities, prices >= 0."""
    problems = []
    previous: Decimal | None = None
    for i, b in enumerate(breaks):
        if b.min_qty <= 0:
            problems.append(f"break {i + 1}: min_qty must be positive")
        if b.price < 0:
            problems.append(f"break {i + 1}: price must not be negative")
        if previous is not None and b.min_qty <= previous:
            problems.append(f"break {i + 1}: min_qty must be larger than the previous break's")
        previous = b.min_qty
    return problems


def price_for(qty: Decimal, base_price: Decimal, breaks: Sequence[PriceBreak]) -> Decimal:
    """Unit price for ordering ``qty`` purchase units: the break with the largest min_qty <= qty."""
    price = base_price
    best: Decimal | None = None
    for b in breaks:
        if b.min_qty <= qty and (best is None or b.min_qty > best):
            best, price = b.min_qty, b.price
    return price


def normalize_allergens(codes: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated EU allergen codes; ValueError naming any unknown code."""
    clean = {c.strip().lower() for c in codes if c.strip()}
    unknown = sorted(clean - set(EU_ALLERGENS))
    if unknown:
        raise ValueError(f"unknown allergen(s) {', '.join(unknown)}; use: {', '.join(EU_ALLERGENS)}")
    return sorted(clean)


def normalize_weekdays(days: Iterable[str]) -> list[str]:
    """Weekdays in week order, de-duplicated; ValueError naming any unknown day."""
    clean = {d.strip().lower()[:3] for d in days if d.strip()}
    unknown = sorted(clean - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekday(s) {', '.join(unknown)}; use: {', '.join(WEEKDAYS)}")
    return [d for d in WEEKDAYS if d in clean]


def check_stock_levels(
    *,
    min_qty: Decimal | None,
    max_qty: Decimal | None,
    reorder_point: Decimal | None,
    safety_stock: Decimal | None,
    order_multiple: Decimal | None,
) -> dict[str, str]:
    """Problems with per-site replenishment parameters, keyed by field."""
    problems: dict[str, str] = {}
    for name, value in (
        ("min_qty", min_qty),
        ("max_qty", max_qty),
        ("reorder_point", reorder_point),
        ("safety_stock", safety_stock),
    ):
        if value is not None and value < 0:
            problems[name] = "must not be negative"
    if order_multiple is not None and order_multiple <= 0:
        problems["order_multiple"] = "must be positive"
    if min_qty is not None and max_qty is not None and min_qty > max_qty:
        problems["max_qty"] = f"max_qty {max_qty} is below min_qty {min_qty}"
    if reorder_point is not None and max_qty is not None and reorder_point > max_qty:
        problems["reorder_point"] = f"reorder_point {reorder_point} is above max_qty {max_qty}"
    return problems


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(k for k in after if before.get(k) != after[k])


def plain_decimal(value: Decimal) -> str:
    """'12.000000' -> '12', '0.500' -> '0.5': exact, without exponent or trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def unit_problems(base: str, uoms: Sequence[tuple[str, Decimal]]) -> dict[int, str]:
    """Problems with the extra units of an item, keyed by their position in ``uoms``."""
    problems: dict[int, str] = {}
    implied = IMPLIED_UNITS.get(base, {})
    seen: set[str] = set()
    for i, (code, factor) in enumerate(uoms):
        try:
            uom = canonical_unit(code)
        except UnknownUnit as exc:
            problems[i] = exc.detail
            continue
        if uom == base:
            problems[i] = f"'{uom}' is the base unit (its factor is always 1)"
        elif uom in seen:
            problems[i] = f"unit '{uom}' is listed twice"
        elif uom in implied and implied[uom] != factor:
            problems[i] = f"1 {uom} is always {plain_decimal(implied[uom])} {base}"
        elif uom in BASE_UNITS and uom not in implied:
            problems[i] = f"'{uom}' is a base unit that cannot be converted to {base}"
        elif factor <= 0:
            problems[i] = "the factor must be positive"
        elif BASE_UNITS.get(base, True) and not is_whole(factor):
            problems[i] = f"{base} is counted in whole units, so 1 {uom} must hold a whole number of {base}"
        seen.add(uom)
    return problems

"""Exact column types that behave the same on SQLite and PostgreSQL.

``ExactDecimal`` is NUMERIC on PostgreSQL. On SQLite (which has no exact decimal storage) it is stored as
a scaled 64-bit integer, so values stay exact *and* SQL arithmetic (``qty = qty + :delta``, ``SUM``) works.
A value with more decimals than the column's scale is refused, never silently rounded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine


class ScaleError(ValueError):
    pass


def to_decimal(value: Any) -> Decimal:
    """Convert user input to Decimal without passing through float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation("booleans are not numbers")
    if isinstance(value, int | str):
        return Decimal(str(value).strip())
    if isinstance(value, float):
        # floats only reach here from careless callers; use their shortest repr, not the binary value
        return Decimal(repr(value))
    raise InvalidOperation(f"not a number: {value!r}")


class ExactDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 6) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._factor = Decimal(10) ** scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def _exact(self, value: Any) -> Decimal:
        dec = to_decimal(value)
        quantized = dec.quantize(self._quantum)
        if quantized != dec:
            raise ScaleError(f"{dec} has more than {self.scale} decimal places")
        return quantized

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        dec = self._exact(value)
        if dialect.name == "sqlite":
            return int(dec * self._factor)
        return dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # only if SQL arithmetic produced a REAL; refuse to guess
                raise ScaleError(f"inexact value {value!r} read from SQLite")
            return (Decimal(int(value)) / self._factor).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def Qty() -> ExactDecimal:  # noqa: N802 - reads like a type in model declarations
    """Quantities in base units: 6 decimal places (grams of a kilogram, millilitres of a litre)."""
    return ExactDecimal(18, 6)


def MoneyAmount() -> ExactDecimal:  # noqa: N802
    """Money amounts and unit prices: 6 decimal places, always stored beside a currency column."""
    return ExactDecimal(20, 6)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite has no timezone support)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; BOH stores timezone-aware UTC datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

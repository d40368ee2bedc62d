"""Exact column types that behave the same on SQLite and PostgreSQL.

``ExactDecimal`` is NUMERIC on PostgreSQL. On SQLite (which has no exact decimal storage) it is stored as
a scaled 64-bit integer, so values stay exact *and* SQL arithmetic (``qty = qty + :delta``, ``SUM``) works.
A value with more decimals than the column's scale, or more digits than its precision, is refused, never
silently rounded (on SQLite the scaled value must also fit in 64 bits: about 9.2e12 at scale 6).

SQL arithmetic on ExactDecimal expressions is typed so that it stays exact on both backends: ``+``/``-``
need the same scale on both sides, ``a * b`` has the sum of the scales, ``a * <integer>`` keeps the scale.
Division, and arithmetic with a non-exact or untyped operand, is refused when the expression is built
(on SQLite it would silently come out scaled wrong); do it in Python with Decimal. Keep the ExactDecimal
operand on the left of ``+``/``-`` and compare only columns of the same scale (SQLAlchemy lets the left
operand's type decide). ``func.sum``/``min``/``max``/``coalesce`` keep the type; other SQL functions
(``avg``, ``abs``, ``round``) need an explicit ``type_=``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, Numeric
from sqlalchemy.sql import operators
from sqlalchemy.sql.operators import OperatorType
from sqlalchemy.types import TypeDecorator, TypeEngine

_CTX = Context(prec=80)  # wide enough that quantize/scale never round or overflow
_INT64 = 2**63 - 1


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


class _ExactComparator(TypeDecorator.Comparator[Decimal], Numeric.Comparator[Decimal]):  # type: ignore[misc]
    def _adapt_expression(
        self, op: OperatorType, other_comparator: TypeEngine.Comparator[Any]
    ) -> tuple[OperatorType, TypeEngine[Any]]:
        left = self.type
        assert isinstance(left, ExactDecimal)
        return op, left.result_type(op, other_comparator.type)


class ExactDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True
    comparator_factory = _ExactComparator  # type: ignore[assignment]

    def __init__(self, precision: int = 18, scale: int = 6) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._factor = Decimal(10) ** scale
        self._limit = Decimal(10) ** (precision - scale)

    def __repr__(self) -> str:  # rendered as-is into migrations: keep precision and scale
        return f"ExactDecimal(precision={self.precision}, scale={self.scale})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def result_type(self, op: OperatorType, other: TypeEngine[Any]) -> TypeEngine[Any]:
        """The type of ``<self> op <other>`` in SQL, or TypeError when it would not be exact."""
        if op in (operators.add, operators.sub):
            if isinstance(other, ExactDecimal) and other.scale == self.scale:
                return ExactDecimal(max(self.precision, other.precision), self.scale)
        elif op is operators.mul:
            if isinstance(other, ExactDecimal):
                return ExactDecimal(self.precision + other.precision, self.scale + other.scale)
            if isinstance(other, Integer):
                return self
        elif op in (operators.truediv, operators.floordiv, operators.mod):
            raise TypeError("SQL division of ExactDecimal values is not exact; divide in Python with Decimal")
        else:
            return self
        raise TypeError(
            f"SQL '{getattr(op, '__name__', op)}' of ExactDecimal(scale={self.scale}) with {other!r} is not exact on "
            "SQLite (scaled storage); give the other operand an ExactDecimal type of the same scale, or compute "
            "in Python"
        )

    def _exact(self, value: Any) -> Decimal:
        dec = to_decimal(value)
        if not dec.is_finite():
            raise ScaleError(f"{dec} is not a finite number")
        if abs(dec) >= self._limit:
            raise ScaleError(f"{dec} has more than {self.precision - self.scale} digits before the decimal point")
        quantized = dec.quantize(self._quantum, context=_CTX)
        if quantized != dec:
            raise ScaleError(f"{dec} has more than {self.scale} decimal places")
        return quantized

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        dec = self._exact(value)
        if dialect.name == "sqlite":
            scaled = int(_CTX.multiply(dec, self._factor))
            if abs(scaled) > _INT64:
                raise ScaleError(f"{dec} is too large to store exactly on SQLite")
            return scaled
        return dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # only if SQL arithmetic produced a REAL; refuse to guess
                raise ScaleError(f"inexact value {value!r} read from SQLite")
            return _CTX.divide(Decimal(int(value)), self._factor).quantize(self._quantum, context=_CTX)
        return Decimal(value).quantize(self._quantum, context=_CTX)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def Qty() -> ExactDecimal:
    """Quantities in base units: 6 decimal places (grams of a kilogram, millilitres of a litre)."""
    return ExactDecimal(18, 6)


def MoneyAmount() -> ExactDecimal:
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

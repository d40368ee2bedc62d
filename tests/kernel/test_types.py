"""ExactDecimal and UTCDateTime behave the same, exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import StatementError

from boh.bootstrap import Runtime
from boh.kernel.types import ExactDecimal, MoneyAmount, Qty, ScaleError, UTCDateTime

md = MetaData()
probe = Table(
    "test_kernel_types_probe",
    md,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("qty", Qty()),
    Column("price", MoneyAmount()),
    Column("factor", ExactDecimal(20, 9)),
    Column("n", Integer),
    Column("at", UTCDateTime()),
)


@pytest.fixture
def engine(runtime: Runtime) -> Iterator[Engine]:
    md.drop_all(runtime.engine)
    md.create_all(runtime.engine)
    try:
        yield runtime.engine
    finally:
        md.drop_all(runtime.engine)


def _put(engine: Engine, **row: object) -> None:
    with engine.begin() as conn:
        conn.execute(insert(probe).values(**row))


def _get(engine: Engine, col: str, row_id: int = 1) -> object:
    with engine.connect() as conn:
        return conn.execute(select(probe.c[col]).where(probe.c.id == row_id)).scalar_one()


VALUES = [
    Decimal("0"),
    Decimal("0.000001"),
    Decimal("-0.000001"),
    Decimal("1.5"),
    Decimal("0.1"),
    Decimal("123456.789012"),
    Decimal("999999999999.999999"),  # the largest Qty: 12 digits before the point, 6 after
    Decimal("-999999999999.999999"),
]


@pytest.mark.parametrize("value", VALUES, ids=str)
def test_qty_round_trips_exactly(engine: Engine, value: Decimal) -> None:
    _put(engine, id=1, qty=value)
    got = _get(engine, "qty")
    assert isinstance(got, Decimal)
    assert got == value
    assert got.as_tuple().exponent == -6  # always at the column's scale


def test_wider_scale_round_trips(engine: Engine) -> None:
    _put(engine, id=1, factor=Decimal("0.000000001"), price=Decimal("9999999.123456"))
    assert _get(engine, "factor") == Decimal("0.000000001")
    assert _get(engine, "price") == Decimal("9999999.123456")


def test_non_decimal_inputs_do_not_pass_through_float(engine: Engine) -> None:
    _put(engine, id=1, qty="0.3", price=7)
    assert _get(engine, "qty") == Decimal("0.3")
    assert _get(engine, "price") == Decimal(7)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("qty", Decimal("0.0000001"), "decimal places"),
        ("qty", Decimal("1.0000005"), "decimal places"),
        ("factor", Decimal("0.0000000001"), "decimal places"),
        ("qty", Decimal("1000000000000"), "digits before"),  # 13 digits > 18 - 6
        ("qty", Decimal("NaN"), "finite"),
        ("qty", Decimal("Infinity"), "finite"),
    ],
)
def test_too_precise_or_too_large_values_are_refused_not_rounded(
    engine: Engine, column: str, value: Decimal, reason: str
) -> None:
    with pytest.raises(StatementError) as exc:
        _put(engine, id=1, **{column: value})
    assert isinstance(exc.value.orig, ScaleError)
    assert reason in str(exc.value.orig)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(probe)).scalar_one() == 0


def test_increment_in_sql_stays_exact(engine: Engine) -> None:
    _put(engine, id=1, qty=Decimal("0.1"))
    with engine.begin() as conn:
        for _ in range(10):
            conn.execute(update(probe).where(probe.c.id == 1).values(qty=probe.c.qty + Decimal("0.1")))
        stmt = update(probe).where(probe.c.id == 1).values(qty=probe.c.qty + bindparam("delta"))
        conn.execute(stmt, {"delta": Decimal("0.000001")})
        conn.execute(stmt, {"delta": Decimal("-0.000002")})
    assert _get(engine, "qty") == Decimal("1.099999")


def test_sum_min_max_stay_exact(engine: Engine) -> None:
    values = [Decimal("0.1")] * 10 + [Decimal("0.000001"), Decimal("123456789.123456")]
    with engine.begin() as conn:
        conn.execute(insert(probe), [{"id": i, "qty": v} for i, v in enumerate(values)])
    with engine.connect() as conn:
        total, low, high = conn.execute(
            select(func.sum(probe.c.qty), func.min(probe.c.qty), func.max(probe.c.qty))
        ).one()
    assert total == Decimal("123456790.123457")
    assert (low, high) == (Decimal("0.000001"), Decimal("123456789.123456"))


def test_products_are_exact(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(probe),
            [
                {"id": 1, "qty": Decimal("1.5"), "price": Decimal("2.25"), "n": 3},
                {"id": 2, "qty": Decimal("0.000001"), "price": Decimal("3"), "n": 4},
            ],
        )
    with engine.connect() as conn:
        rows = conn.execute(
            select(probe.c.qty * probe.c.price, probe.c.qty * 2, probe.c.qty * probe.c.n).order_by(probe.c.id)
        ).all()
        value = conn.execute(select(func.sum(probe.c.qty * probe.c.price))).scalar_one()
        over = conn.execute(select(probe.c.id).where(probe.c.qty * probe.c.price > Decimal("3"))).scalars().all()
    assert [tuple(r) for r in rows] == [
        (Decimal("3.375"), Decimal("3"), Decimal("4.5")),
        (Decimal("0.000003"), Decimal("0.000002"), Decimal("0.000004")),
    ]
    assert value == Decimal("3.375003")
    assert over == [1]


def test_inexact_sql_arithmetic_is_refused_when_built() -> None:
    with pytest.raises(TypeError, match="division"):
        _ = probe.c.qty / probe.c.price
    with pytest.raises(TypeError, match="not exact"):
        _ = probe.c.qty + probe.c.n  # an unscaled integer column added to a scaled one
    with pytest.raises(TypeError, match="not exact"):
        _ = probe.c.qty + probe.c.factor  # different scales


def test_migration_renders_precision_and_scale() -> None:
    assert repr(ExactDecimal(20, 9)) == "ExactDecimal(precision=20, scale=9)"
    assert eval(repr(Qty()), {"ExactDecimal": ExactDecimal}).scale == 6


def test_datetime_is_stored_and_read_as_aware_utc(engine: Engine) -> None:
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=shanghai)
    _put(engine, id=1, at=local)
    got = _get(engine, "at")
    assert isinstance(got, datetime)
    assert got == local
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert got == datetime(2026, 3, 1, 1, 30, 15, 123456, tzinfo=UTC)


def test_datetime_comparison_in_sql_uses_utc(engine: Engine) -> None:
    _put(engine, id=1, at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    later_in_shanghai = datetime(2026, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))  # 00:30 UTC
    with engine.connect() as conn:
        assert conn.execute(select(probe.c.id).where(probe.c.at > later_in_shanghai)).scalars().all() == [1]


def test_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(StatementError) as exc:
        _put(engine, id=1, at=datetime(2026, 3, 1, 9, 30))
    assert "naive datetime" in str(exc.value.orig)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(probe)).scalar_one() == 0

"""The sales-history import on its own (no database): a real chain's file (FreshRetailNet-50K's store 0,
daily rows with out-of-stock hours) mapped to BOH's fields, and hourly rows with stock flags whose latent
demand is recovered from the in-stock hours' profile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from boh.forecasting import domain, history
from boh.kernel.errors import ValidationFailed

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "freshretailnet50k" / "sample_store0.csv"


@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"FreshRetailNet-50K sample not found at {SAMPLE} (shared data)")
def test_a_real_chains_daily_file_imports_with_a_column_mapping() -> None:
    cols = {"site": "store_id", "item": "product_id", "date": "dt", "quantity": "sale_amount",
            "stockout": "stockout_hours", "discount": "discount", "promo": "activity_flag"}  # fmt: skip
    mapping = history.Mapping_(cols)
    rows = history.read_history(SAMPLE.name, SAMPLE.read_bytes(), mapping)
    daily = history.to_daily(rows)
    assert daily.groupby(["site", "item"]).size().eq(90).all()
    assert daily[["site", "item"]].drop_duplicates().shape[0] == 74
    full = daily[daily["stockout"] == 0]
    assert np.allclose(full["demand"], full["quantity"]) and full["in_stock"].all()
    part = daily[(daily["stockout"] > 0) & (daily["stockout"] < 0.75)]
    assert (part["demand"] >= part["quantity"] - 1e-9).all() and not part["in_stock"].any()
    assert daily.loc[daily["stockout"] == 1, "demand"].isna().all()  # out all day: imputed at fit time


def test_hourly_rows_recover_the_demand_lost_in_stockout_hours() -> None:
    hours = pd.date_range("2026-03-02", periods=24 * 14, freq="h")
    profile = np.where((hours.hour >= 8) & (hours.hour < 20), 1.0, 0.0)  # 12 selling hours, 1 unit each
    out = (hours.day == 15) & (hours.hour >= 14)  # the last day runs out at 14:00: 6 selling hours lost
    qty = np.where(out, 0.0, profile)
    frame = pd.DataFrame({"s": "S1", "i": "A", "t": hours, "q": qty, "o": out.astype(int)})
    rows = history.read_history("h.parquet", frame, history.Mapping_({"site": "s", "item": "i", "timestamp": "t",
                                                                        "quantity": "q", "stockout": "o"}))  # fmt: skip
    daily = history.to_daily(rows)
    last = daily.iloc[-1]
    assert last["quantity"] == 6 and not last["in_stock"]
    assert last["demand"] == pytest.approx(12, rel=0.1)  # what it would have sold, not the 6 it did
    assert daily.iloc[:-1]["demand"].eq(12).all() and daily.iloc[:-1]["in_stock"].all()


def test_every_bad_row_is_listed_and_nothing_returned() -> None:
    csv = b"store,sku,day,units\nS1,A,2026-01-01,1\n,A,2026-01-02,x\nS1,A,2026-01-01,2\nS1,B,someday,-3\n"
    with pytest.raises(ValidationFailed) as exc:
        history.read_history("h.csv", csv, history.Mapping_({"site": "store", "item": "sku", "date": "day",
                                                              "quantity": "units"}))  # fmt: skip
    got = {(e.row, e.column) for e in exc.value.errors}
    assert got == {(3, "store"), (3, "units"), (4, "day"), (5, "day"), (5, "units")}
    with pytest.raises(ValidationFailed) as exc:
        history.read_history("h.csv", csv, history.Mapping_({"site": "shop", "qty": "units"}))
    assert {e.loc[-1] for e in exc.value.errors} == {"site", "qty", "item", "quantity", "date"}


def test_metrics() -> None:
    a, f = np.array([10.0, 0.0, 5.0]), np.array([8.0, 1.0, 5.0])
    assert domain.wape(a, f) == pytest.approx(3 / 15) and domain.bias(a, f) == pytest.approx(-1 / 15)
    assert domain.coverage(a, np.array([10.0, 0.0, 4.0])) == pytest.approx(2 / 3)
    assert domain.pinball(a, f, 0.9) == pytest.approx(((0.9 * 2) + (0.1 * 1)) / 3 / 5)


def test_causal_imputation_fills_a_censored_day_only_from_the_days_before_it() -> None:
    """A backtest's training target: changing what comes after a censored day must not change its fill."""
    days = pd.date_range("2024-01-01", periods=21)  # 2024-01-01 is a Monday
    y = np.arange(21, dtype=float)
    y[[0, 7, 14, 20]] = np.nan  # censored: three Mondays and the last Sunday
    one = pd.DataFrame({"unique_id": "a", "ds": days, "y": y})
    frame = pd.concat([one, one.assign(unique_id="b", y=one["y"] * 10)], ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=3)  # any row order
    filled = domain.impute(frame, causal=True)
    got = frame.assign(f=filled).set_index(["unique_id", "ds"])["f"]
    mon = pd.Timestamp
    assert got[("a", mon("2024-01-01"))] == 0.0  # nothing before it
    assert got[("a", mon("2024-01-08"))] == 3.5  # no earlier Monday in stock: median of days 1..6
    assert got[("a", mon("2024-01-15"))] == 7.0  # median of days 1..13 in stock
    assert got[("a", mon("2024-01-21"))] == 9.5  # earlier Sundays 6 and 13
    assert got[("b", mon("2024-01-21"))] == 95.0
    assert (
        got[~frame.set_index(["unique_id", "ds"])["y"].isna()] == frame.set_index(["unique_id", "ds"])["y"].dropna()
    ).all()

    later = frame.copy()
    later.loc[later["ds"] > mon("2024-01-08"), "y"] *= 100  # the future changes
    again = later.assign(f=domain.impute(later, causal=True)).set_index(["unique_id", "ds"])["f"]
    for d in ("2024-01-01", "2024-01-08"):
        assert again[("a", mon(d))] == got[("a", mon(d))]
    # the plain (whole-history) fill sees the future: the same day's fill moves
    plain = frame.assign(f=domain.impute(frame)).set_index(["unique_id", "ds"])["f"]
    plain_later = later.assign(f=domain.impute(later)).set_index(["unique_id", "ds"])["f"]
    assert plain_later[("a", mon("2024-01-08"))] != plain[("a", mon("2024-01-08"))]

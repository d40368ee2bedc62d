"""The sixth round's options: a censored day that kept most of its demand profile in stock learns from its
recovered demand (``domain.latent``'s ``censor_share``), the static features of LightGBM (which columns, taken as
numbers or as categories) and the quantile bands per group of horizon steps (``band_steps``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from boh.forecasting import domain, engine
from tests.forecasting.conftest import CFG, synthetic

MONDAY = pd.Timestamp("2024-01-01")


def _censored() -> pd.DataFrame:
    """One series, three weeks selling 10 a day in stock; day 14 out of stock from late evening (sold 9 of a
    recovered 10: 90 % of its profile in stock), day 15 from noon (sold 5 of 10), day 16 all day (too censored:
    no recovered demand)."""
    y_obs = np.full(21, 10.0)
    demand = np.full(21, 10.0)
    in_stock = np.ones(21, dtype=bool)
    y_obs[[14, 15, 16]] = [9.0, 5.0, 0.5]
    demand[[14, 15, 16]] = [10.0, 10.0, np.nan]
    in_stock[[14, 15, 16]] = False
    y_obs[7] = demand[7] = 20.0  # a high in-stock Monday: the fill of a censored Monday moves off 10
    return pd.DataFrame({"unique_id": "a", "ds": pd.date_range(MONDAY, periods=21), "y_obs": y_obs,
                         "demand": demand, "in_stock": in_stock})  # fmt: skip


def test_the_in_stock_share_of_a_day_is_its_sales_over_its_recovered_demand() -> None:
    share = domain.stock_share(_censored())
    assert share.iloc[0] == 1.0 and share.iloc[14] == 0.9 and share.iloc[15] == 0.5
    assert np.isnan(share.iloc[16])  # too censored to recover


def test_a_mildly_censored_day_keeps_its_recovered_demand_and_the_others_are_imputed() -> None:
    frame = _censored()
    before = domain.latent(frame, "impute", fill="series")
    assert domain.CENSOR_SHARE == 1.0
    assert (before == domain.latent(frame, "impute", fill="series", censor_share=1.0)).all()
    # every censored day imputed: day 14 is a Monday, the median of Mondays 0 and 7 (10 and 20)
    assert before.iloc[14] == 15.0
    after = domain.latent(frame, "impute", fill="series", censor_share=0.8)
    assert after.iloc[14] == 10.0  # 90 % in stock: its recovered demand
    assert after.iloc[15] == before.iloc[15] and after.iloc[16] == before.iloc[16]  # 50 %, too censored: imputed
    assert (after[frame["in_stock"]] == frame.loc[frame["in_stock"], "y_obs"]).all()  # in-stock days unchanged
    lenient = domain.latent(frame, "impute", fill="series", censor_share=0.5)
    assert lenient.iloc[15] == 10.0 and lenient.iloc[16] == before.iloc[16]


def test_static_features_are_the_columns_asked_for_as_numbers_or_categories() -> None:
    hist, _, static = synthetic()
    static = static.assign(item=[101.0, 102.0, 101.0, 103.0, 104.0, 105.0])
    plain = engine._ml_frame(hist, static, replace(CFG, static_features="category+group"))
    assert {"category", "group"} <= set(plain.columns) and "item" not in plain.columns
    default = engine._ml_frame(hist, static, CFG)  # since the sixth round: the item and site ids, as numbers
    assert default.loc[default["unique_id"] == "s2", "item"].iloc[0] == 101.0 and (default["site"] == -1).all()
    cfg = replace(CFG, static_features="category+group+item", static_categorical=True)
    frame = engine._ml_frame(hist, static, cfg)
    assert isinstance(frame["item"].dtype, pd.CategoricalDtype)
    assert frame.loc[frame["unique_id"] == "s2", "item"].iloc[0] == 101.0  # the same item at another site
    # a frame without the column (a chain with no item ids given) takes -1
    no_item = engine._ml_frame(hist, static.drop(columns=["item"]), replace(cfg, static_categorical=False))
    assert (no_item["item"] == -1).all()
    hist, future, static = synthetic()
    static = static.assign(item=[101.0, 102.0, 101.0, 103.0, 104.0, 105.0])
    got = engine.fit_predict(hist, future, static, cfg).forecasts
    base = engine.fit_predict(hist, future, static, replace(CFG, static_features="category+group")).forecasts
    assert len(got) == len(base) and got["mean"].notna().all()
    assert not np.allclose(got["mean"], base["mean"])  # the features enter the model


def test_bands_per_group_of_steps_follow_each_groups_backtest_residuals() -> None:
    assert list(engine.step_group(np.arange(1, 17), 2, 14)) == [0] * 7 + [1] * 9
    assert list(engine.step_group(np.arange(1, 15), 1, 14)) == [0] * 14
    rng = np.random.default_rng(0)
    rows = []
    for cutoff in (pd.Timestamp("2024-01-07"), pd.Timestamp("2024-01-21")):
        for k in range(60):
            for step in range(1, 15):
                noise = rng.normal(0, 1.0 if step <= 7 else 4.0)  # the second week errs four times as much
                mean = 20.0 + k / 10
                rows.append((f"s{k}", cutoff + pd.Timedelta(days=step), cutoff, mean, mean + noise, True))
    cv = pd.DataFrame(rows, columns=["unique_id", "ds", "cutoff", "mean", "y_obs", "in_stock"])
    out = pd.DataFrame({"unique_id": "x", "ds": pd.date_range("2024-02-01", periods=14), "model": "lgbm",
                        "mean": 23.0})  # fmt: skip
    one = engine._banded(out, cv, replace(CFG, band_steps=1), 14)
    two = engine._banded(out, cv, replace(CFG, band_steps=2), 14)
    assert np.allclose(one["q95"].iloc[:7], one["q95"].iloc[7:].mean())  # one set of offsets for every step
    width_1, width_2 = (two["q95"] - two["mean"]).iloc[:7], (two["q95"] - two["mean"]).iloc[7:]
    assert np.allclose(width_1, width_1.iloc[0]) and np.allclose(width_2, width_2.iloc[0])
    assert width_2.iloc[0] > 2.5 * width_1.iloc[0]
    assert (one["q95"] - one["mean"]).iloc[0] > width_1.iloc[0]  # pooled: wider than week 1's, narrower than 2's
    assert (one["q95"] - one["mean"]).iloc[0] < width_2.iloc[0]
    assert list(two["ds"]) == list(out["ds"])  # rows in their order


def test_censored_days_can_be_left_out_of_the_loss_and_the_daily_model_keeps_its_own_weight() -> None:
    hist, future, static = synthetic()
    hist = hist.assign(in_stock=hist.index % 4 != 0)
    hist.loc[~hist["in_stock"], "y"] *= 1.5  # censored days: a higher (imputed) latent demand
    off = replace(CFG, censored_weight=0.0)
    frame = engine._ml_frame(hist, static, off)
    assert (frame.loc[~hist["in_stock"].to_numpy(), "w"] == 0.0).all()
    assert (frame.loc[hist["in_stock"].to_numpy(), "w"] == 1.0).all()
    full = engine.fit_predict(hist, future, static, replace(CFG, censored_weight=1.0)).forecasts
    left_out = engine.fit_predict(hist, future, static, off).forecasts
    lgbm = full["model"] == "lgbm"
    # the model learns the in-stock days only: lower than one that also learns the censored days' higher demand
    assert left_out.loc[lgbm, "mean"].sum() < full.loc[lgbm, "mean"].sum()
    # the 2-day model takes ``short_censored_weight`` (1: every day weighs the same)
    origins = [hist["ds"].max() - pd.Timedelta(days=3)]
    ex = pd.concat([hist, future])[["unique_id", "ds", "promo", "discount"]]
    a = engine.predict_short(hist, ex, static, off, origins, 2)
    b = engine.predict_short(hist, ex, static, replace(CFG, censored_weight=1.0), origins, 2)
    assert np.allclose(a["lgbm"], b["lgbm"])


def test_rows_of_weight_zero_are_left_out_of_the_fit_as_if_absent() -> None:
    from lightgbm import LGBMRegressor

    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(600, 3)), columns=["a", "b", "c"])
    y = pd.Series(np.abs(X["a"] * 3 + rng.gamma(2.0, size=600)))
    weight = (np.arange(600) % 3 != 0).astype(float)
    kw = {"objective": "l1", "n_estimators": 20, "num_leaves": 7, "min_child_samples": 5, "verbose": -1,
          "deterministic": True, "n_jobs": 1}  # fmt: skip
    skipping = engine._skipping_lgbm()(**kw).fit(X, y, sample_weight=weight)
    kept = LGBMRegressor(**kw).fit(X[weight > 0], y[weight > 0])
    assert np.allclose(skipping.predict(X), kept.predict(X))
    # other weights are passed on (the recency half-life)
    half = np.where(weight > 0, 0.5 + np.arange(600) / 600, 0.0)
    weighted = engine._skipping_lgbm()(**kw).fit(X, y, sample_weight=half)
    plain = LGBMRegressor(**kw).fit(X[weight > 0], y[weight > 0], sample_weight=half[weight > 0])
    assert np.allclose(weighted.predict(X), plain.predict(X))

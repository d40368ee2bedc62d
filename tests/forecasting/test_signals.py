"""Cross-series level signals, recency weights and the 2-day direct model of the engine: what each feature may
know (only periods before its day; after the forecast origin, what the origin knew), and that the options
change the fit they are meant to change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from boh.forecasting import engine
from tests.forecasting.conftest import CFG, synthetic


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hist, future, static = synthetic()
    return hist, future, static.assign(site=["a", "a", "b", "b", "a", "b"])


def test_level_signals_use_only_the_days_before_and_freeze_after_the_origin() -> None:
    hist, future, static = _frames()
    lv = engine.level_frame(hist, future, static, CFG).set_index(["unique_id", "ds"]).sort_index()
    origin = hist["ds"].max()
    # the chain's signal for a day: yesterday's mean demand over the last four weeks' (both before the day)
    chain = hist.groupby("ds")["y"].mean()
    day = origin - pd.Timedelta(days=3)
    before = chain[chain.index < day]
    expected = before.iloc[-1] / before.iloc[-28:].mean()
    assert np.isclose(lv.loc[("s0", day), "lvl_chain_1"], expected)
    assert np.isclose(lv.loc[("s0", day), "lvl_chain_1"], lv.loc[("s3", day), "lvl_chain_1"])  # one chain
    # a change on the day itself does not move that day's signal (no look-ahead), it moves the next day's
    bumped = hist.assign(y=np.where(hist["ds"] == day, hist["y"] * 10, hist["y"]))
    lv2 = engine.level_frame(bumped, future, static, CFG).set_index(["unique_id", "ds"]).sort_index()
    assert np.isclose(lv2.loc[("s0", day), "lvl_chain_1"], lv.loc[("s0", day), "lvl_chain_1"])
    assert lv2.loc[("s0", day + pd.Timedelta(days=1)), "lvl_chain_1"] > lv.loc[("s0", day + pd.Timedelta(days=1)),
                                                                               "lvl_chain_1"]  # fmt: skip
    # site a and site b differ; after the origin every day carries what the origin knew
    assert not np.isclose(lv.loc[("s0", day), "lvl_site_s"], lv.loc[("s2", day), "lvl_site_s"])
    after = lv.loc["s0"][lv.loc["s0"].index > origin]
    assert len(after) == CFG.horizon and (after.nunique() == 1).all()
    # without a site column there is no site signal (the chain, category and group ones remain)
    plain = engine.level_frame(hist, future, static.drop(columns=["site"]), CFG)
    assert "lvl_site_1" not in plain.columns and "lvl_category_1" in plain.columns


def test_recency_and_censored_weights_change_the_fit() -> None:
    hist, future, static = _frames()
    hist = hist.assign(in_stock=hist.index % 5 != 0)
    frame = engine._ml_frame(hist, static, replace(CFG, recency_halflife=7.0, censored_weight=0.5))
    last = frame[frame["ds"] == frame["ds"].max()]
    week = frame[frame["ds"] == frame["ds"].max() - pd.Timedelta(days=7)]
    assert np.allclose(last.loc[hist.loc[last.index, "in_stock"], "w"], 1.0)
    assert np.allclose(week.loc[hist.loc[week.index, "in_stock"], "w"], 0.5)  # one half-life back
    assert np.allclose(last.loc[~hist.loc[last.index, "in_stock"], "w"], 0.5)  # a censored day weighs less
    unweighted = replace(CFG, censored_weight=1.0)  # every period weighs the same: no weight column
    assert "w" not in engine._ml_frame(hist, static, unweighted).columns
    plain = engine.fit_predict(hist, future, static, unweighted).forecasts.set_index(["unique_id", "ds"])["mean"]
    weighted = engine.fit_predict(hist, future, static, replace(unweighted, recency_halflife=7.0))
    assert not np.allclose(plain, weighted.forecasts.set_index(["unique_id", "ds"])["mean"])


def test_level_signals_enter_the_model_and_every_series_still_gets_its_horizon() -> None:
    hist, future, static = _frames()
    res = engine.fit_predict(hist, future, static, replace(CFG, level_features=True))
    assert (res.forecasts.groupby("unique_id").size() == CFG.horizon).all()
    assert res.forecasts["mean"].notna().all() and (res.forecasts["mean"] >= 0).all()
    # the backtest forecasts each origin with the signals frozen there: as many origins as configured
    assert res.residuals["cutoff"].nunique() == CFG.windows


def test_the_direct_two_day_model_agrees_on_day_one_and_differs_on_day_two() -> None:
    hist, future, static = _frames()
    exog = pd.concat([hist, future])[["unique_id", "ds", "promo", "discount"]]
    origins = [hist["ds"].max() - pd.Timedelta(days=d) for d in (2, 1)]
    rec = engine.predict_short(hist, exog, static, CFG, origins, 2, refit_every=7)
    direct = engine.predict_short(hist, exog, static, replace(CFG, short_direct=True), origins, 2, refit_every=7)
    step = (rec["ds"] - rec["origin"]).dt.days
    assert np.allclose(rec.loc[step == 1, "lgbm"], direct.loc[step == 1, "lgbm"])
    assert not np.allclose(rec.loc[step == 2, "lgbm"], direct.loc[step == 2, "lgbm"])


def test_the_rich_lag_set_adds_smoothed_levels_and_the_same_weekday_median() -> None:
    hist, _future, static = _frames()
    names = {
        lag_set: engine._lgbm(replace(CFG, lag_set=lag_set)).preprocess(
            engine._ml_frame(hist, static, CFG), static_features=["category", "group"]
        )
        for lag_set in ("base", "rich")
    }
    added = set(names["rich"].columns) - set(names["base"].columns)
    assert {c.split("_lag")[0] for c in added} == {"exponentially_weighted_mean", "seasonal_rolling_quantile"}
    med = names["rich"][next(c for c in added if c.startswith("seasonal_rolling_quantile"))]
    s0 = names["rich"]["unique_id"] == "s0"
    frame = names["rich"][s0].reset_index(drop=True)
    ys = hist[hist["unique_id"] == "s0"].set_index("ds")["y"]
    day = frame["ds"].iloc[-1]
    same = [ys[day - pd.Timedelta(days=7 * k)] for k in range(1, 9)]  # the eight same weekdays before the day
    assert np.isclose(med[s0].iloc[-1], np.median(same))


def test_the_bias_correction_scales_by_the_last_origins_ratio() -> None:
    hist, future, static = _frames()
    # the correction alone (the weekday blend comes after it; the first days' 2-day model is not corrected)
    cfg = replace(CFG, weekday_blend=0.0, short_horizon=0)
    plain = engine.fit_predict(hist, future, static, replace(cfg, bias_correction=0.0))
    ratio = engine._recent_ratio(plain.residuals)
    corrected = engine.fit_predict(hist, future, static, replace(cfg, bias_correction=1.0))
    both = plain.forecasts.merge(corrected.forecasts, on=["unique_id", "ds"], suffixes=("", "_c"))
    both = both[both["model"] != "profile"]  # new series start from their profile, not from a model
    assert ratio != 1.0 and np.allclose(both["mean_c"], both["mean"] * ratio)


def test_members_are_parsed_with_the_configured_objective_and_seed_as_defaults() -> None:
    assert engine.members(replace(CFG, members="")) == [(CFG.objective, CFG.seed)]  # one model
    assert engine.members(CFG) == [("tweedie", CFG.seed), ("l1", CFG.seed)]  # the default combination
    assert engine.members(replace(CFG, members="tweedie:3+l1")) == [("tweedie", 3), ("l1", CFG.seed)]


def test_a_combination_is_the_mean_of_its_members() -> None:
    hist, future, static = _frames()
    exog = ["promo", "discount"]
    known = hist[hist["unique_id"] != "new"]
    one = {
        spec: engine._fit_ml(known, future, static, replace(CFG, members=spec), 7, exog).set_index(["unique_id", "ds"])
        for spec in ("tweedie:7", "l1:7", "tweedie:7+l1:7")
    }
    assert list(one["tweedie:7+l1:7"].columns) == ["lgbm"]  # the members' columns are folded into one
    assert not np.allclose(one["tweedie:7"]["lgbm"], one["l1:7"]["lgbm"])  # they differ...
    mean = (one["tweedie:7"]["lgbm"] + one["l1:7"]["lgbm"]) / 2
    assert np.allclose(one["tweedie:7+l1:7"]["lgbm"], mean)  # ...and the combination is their mean
    # the 2-day model takes its own members
    exog_all = pd.concat([hist, future])[["unique_id", "ds", *exog]]
    origins = [hist["ds"].max() - pd.Timedelta(days=2)]
    short = {
        spec: engine.predict_short(known, exog_all, static, replace(CFG, short_members=spec), origins, 2)["lgbm"]
        for spec in ("l1:7", "l1:8", "l1:7+l1:8")
    }
    assert np.allclose(short["l1:7+l1:8"], (short["l1:7"] + short["l1:8"]) / 2)


def test_level_scaling_divides_each_series_by_its_recent_level_and_multiplies_back() -> None:
    hist, future, static = _frames()
    # with the rows of missing lag features dropped (ml_dropna): kept, the ten-times series' fit differs by up to 1 %
    # (rounding meets LightGBM's bins of the missing values); level scaling is off by default
    cfg = replace(CFG, level_scale=True, level_window=28, ml_dropna=True)
    s0 = hist[hist["unique_id"] == "s0"]
    prep = engine._lgbm(cfg).preprocess(engine._ml_frame(s0, static, cfg), static_features=["category", "group"])
    level = s0["y"].iloc[-28:].mean()
    assert np.allclose(prep["y"].to_numpy(), s0.set_index("ds").loc[prep["ds"], "y"].to_numpy() / level)
    # one series: the model sees only its shape, so ten times the series gives ten times the forecast
    fut = future[future["unique_id"] == "s0"]
    base = engine._fit_ml(s0, fut, static, cfg, 7, ["promo", "discount"])["lgbm"].to_numpy()
    big = engine._fit_ml(s0.assign(y=s0["y"] * 10), fut, static, cfg, 7, ["promo", "discount"])["lgbm"].to_numpy()
    assert np.allclose(big, base * 10, rtol=1e-4)
    # with series of different levels, the pooled model differs from the unscaled one
    two, fut2 = hist[hist["unique_id"].isin(["s0", "s3"])], future[future["unique_id"].isin(["s0", "s3"])]
    scaled = engine._fit_ml(two, fut2, static, cfg, 7, ["promo", "discount"])["lgbm"].to_numpy()
    assert not np.allclose(scaled, engine._fit_ml(two, fut2, static, CFG, 7, ["promo", "discount"])["lgbm"])
    # weights by level: each row of a series weighs its recent mean
    frame = engine._ml_frame(hist, static, replace(cfg, level_weight=True))
    recent = hist[hist["ds"] > hist["ds"].max() - pd.Timedelta(days=28)].groupby("unique_id")["y"].mean()
    assert np.allclose(frame.groupby("unique_id")["w"].first(), recent.clip(lower=cfg.level_floor))


def test_horizon_models_take_each_step_from_its_route_and_the_backtest_from_its_origins_past() -> None:
    hist, future, static = _frames()
    exog = ["promo", "discount"]
    recursive = replace(CFG, horizon_models="1:1")
    # a model whose shortest lag is 7 uses only actual demand over the first week: every lag feature is 7 or more
    frame = engine._ml_frame(hist, static, CFG)
    features = engine._lgbm(CFG, 7).preprocess(frame, static_features=["category", "group"])
    lags = [int(c.split("lag")[1].split("_")[0]) for c in features.columns if "lag" in c]
    assert lags and min(lags) == 7
    one = engine._fit_ml(hist, future, static, recursive, 7, exog).set_index(["unique_id", "ds"])["lgbm"].sort_index()
    seven = engine._fit_ml(hist, future, static, replace(CFG, horizon_models="1:7"), 7, exog)
    routed = engine._fit_ml(hist, future, static, replace(CFG, horizon_models="1:1,3:7"), 7, exog)
    seven, routed = (f.set_index(["unique_id", "ds"])["lgbm"].sort_index() for f in (seven, routed))
    step = routed.groupby(level="unique_id").cumcount().to_numpy() + 1
    assert np.allclose(routed[step <= 2], one[step <= 2])  # steps 1-2: the recursive model
    assert np.allclose(routed[step > 2], seven[step > 2])  # then the lag-7 model
    assert not np.allclose(one[step > 2], seven[step > 2])
    mixed = engine._fit_ml(hist, future, static, replace(CFG, horizon_models="1:1+7"), 7, exog)
    assert np.allclose(mixed.set_index(["unique_id", "ds"])["lgbm"].sort_index(), (one + seven) / 2)
    assert engine.horizon_routes(engine.Config()) == [(1, (1, 7))]  # the default since the fifth round
    # the backtest: each origin's forecasts from the days up to it only (a change after the first origin moves
    # only the second origin's forecasts)
    cfg = replace(CFG, horizon_models="1:1,3:7")
    modelled = hist[hist["unique_id"] != "new"]
    classes = engine.classify(modelled)
    cv = engine._backtest(modelled, static, classes, cfg, 7, exog)
    first = cv["cutoff"].min()
    later = modelled.assign(y=np.where(modelled["ds"] > first, modelled["y"] * 3, modelled["y"]))
    cv2 = engine._backtest(later, static, classes, cfg, 7, exog)
    key = ["unique_id", "cutoff", "ds"]
    a, b = (c.sort_values(key).reset_index(drop=True) for c in (cv, cv2))
    assert len(a) == len(b) == len(modelled["unique_id"].unique()) * 7 * CFG.windows
    assert np.allclose(a.loc[a["cutoff"] == first, "lgbm"], b.loc[b["cutoff"] == first, "lgbm"])
    assert not np.allclose(a.loc[a["cutoff"] > first, "lgbm"], b.loc[b["cutoff"] > first, "lgbm"])
    # steps counted from each origin: the first two days after every origin come from the recursive model
    plain = engine._backtest(modelled, static, classes, recursive, 7, exog).sort_values(key).reset_index(drop=True)
    early = ((a["ds"] - a["cutoff"]).dt.days <= 2).to_numpy()
    assert np.allclose(a.loc[early, "lgbm"], plain.loc[early, "lgbm"])
    assert not np.allclose(a.loc[~early, "lgbm"], plain.loc[~early, "lgbm"])

"""The eighth round: the weekday model (the replenishment replay's forecaster, now ``boh.forecasting.weekday``)
blended with LightGBM. The blend is computed as stated, the options reach the 2-day and the 14-day forecasts (the
14-day bands from the blend's own backtest residuals), the weekday model reads nothing after its origin, and the
replay's forecaster is that same model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from boh.forecasting import engine, weekday
from boh.replenishment.simulation import forecast as replay
from boh.replenishment.simulation import synthetic as replay_synthetic
from tests.forecasting.conftest import CFG, synthetic


def test_the_blend_by_hand() -> None:
    base = np.array([2.0, -1.0, 4.0, 10.0])
    wd = np.array([4.0, 3.0, np.nan, -2.0])
    # (1 - w) x base + w x weekday, each clipped at 0; base alone where the weekday model has nothing
    assert np.allclose(engine.blend_weekday(base, wd, 0.25), [2.5, 0.75, 4.0, 7.5])
    assert np.allclose(engine.blend_weekday(base, wd, 0.0), [2.0, 0.0, 4.0, 10.0])
    assert np.allclose(engine.blend_weekday(base, wd, 1.0), [4.0, 3.0, 4.0, 0.0])
    # the defaults chosen in the eighth round: 0.5 for the 2-day model, 0.2 for the 14-day forecast (model 1.11)
    assert (engine.Config().weekday_blend_2d, engine.Config().weekday_blend) == (0.5, 0.2)
    # 1.10: margin 0.3; 1.11: the 14-day blend 0.2; 1.12: the first 2 days from the 2-day model, calendars per site
    assert engine.MODEL_VERSION == "boh-forecast-1.13"


def test_the_2_day_option_reaches_the_forecast() -> None:
    hist, future, static = synthetic()
    origins = [hist["ds"].max() - pd.Timedelta(days=d) for d in (4, 3)]
    ex = pd.concat([hist, future])[["unique_id", "ds", "promo", "discount"]]
    off = engine.predict_short(hist, ex, static, replace(CFG, weekday_blend_2d=0.0), origins, 2)
    half = engine.predict_short(hist, ex, static, replace(CFG, weekday_blend_2d=0.5), origins, 2)
    full = engine.predict_short(hist, ex, static, replace(CFG, weekday_blend_2d=1.0), origins, 2)
    assert np.allclose(off["lgbm"], half["lgbm"]) and off["weekday"].isna().all()
    assert np.allclose(off["mean"], off["lgbm"].clip(lower=0))
    wd = weekday.frame_forecasts(hist, ex, static, origins, 2, engine.weekday_config(CFG))
    got = half.merge(wd, on=["unique_id", "origin", "ds"], suffixes=("", "_direct"))
    assert len(got) == len(half) and np.allclose(got["weekday"], got["weekday_direct"], equal_nan=True)
    old = half["weekday"].isna()  # the new item (10 days of history) has no weekday forecast: LightGBM alone
    assert set(half.loc[old, "unique_id"]) == {"new"}
    expect = 0.5 * half["lgbm"].clip(lower=0) + 0.5 * half["weekday"]
    assert np.allclose(half.loc[~old, "mean"], expect[~old])
    assert np.allclose(half.loc[old, "mean"], half.loc[old, "lgbm"].clip(lower=0))
    assert np.allclose(full.loc[~old, "mean"], full.loc[~old, "weekday"])
    assert not np.allclose(half["mean"], off["mean"])


def test_the_14_day_option_reaches_the_forecast_and_its_bands() -> None:
    hist, future, static = synthetic()
    cfg = replace(CFG, chunk_size=10, short_horizon=0)  # the 14-day forecast on every day (not the 2-day model's)
    base = engine.fit_predict(hist, future, static, replace(cfg, weekday_blend=0.0))
    mixed = engine.fit_predict(hist, future, static, replace(cfg, weekday_blend=0.4))
    modelled = hist[hist["unique_id"] != "new"].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    last = modelled["ds"].max()
    wd = weekday.frame_forecasts(modelled, future, static, [last], cfg.horizon, engine.weekday_config(cfg))
    got = base.forecasts.merge(mixed.forecasts, on=["unique_id", "ds"], suffixes=("", "_mix"))
    got = got.merge(wd.drop(columns="origin"), on=["unique_id", "ds"], how="left")
    known = got["unique_id"] != "new"  # cold start: no weekday model
    assert np.allclose(got.loc[known, "mean_mix"], 0.6 * got.loc[known, "mean"] + 0.4 * got.loc[known, "weekday"])
    assert np.allclose(got.loc[~known, "mean_mix"], got.loc[~known, "mean"])
    # the backtest's forecasts are blended the same way, so the bands are the blend's own
    assert not np.allclose(base.residuals["mean"], mixed.residuals["mean"])
    assert (got["q80_mix"] >= got["mean_mix"] - 1e-9).mean() > 0.5 and not np.allclose(got["q95"], got["q95_mix"])


def test_the_weekday_model_reads_nothing_after_its_origin() -> None:
    hist, future, static = synthetic()
    hist = hist.assign(in_stock=hist.index % 5 != 0)
    hist["demand"] = np.where(hist["in_stock"], hist["y_obs"], hist["y_obs"] / 0.7)
    ex = pd.concat([hist, future])[["unique_id", "ds", "promo", "discount"]]
    origin = hist["ds"].max() - pd.Timedelta(days=12)
    origins = [origin - pd.Timedelta(days=d) for d in range(9, -1, -1)]
    cfg = engine.weekday_config(CFG)
    a = weekday.frame_forecasts(hist, ex, static, origins, 3, cfg)
    later = hist["ds"] > origin
    rng = np.random.default_rng(0)
    changed = hist.copy()
    changed.loc[later, "y"] = rng.uniform(0, 100, int(later.sum()))
    changed.loc[later, "in_stock"] = ~changed.loc[later, "in_stock"]
    changed.loc[later, "demand"] = rng.uniform(0, 100, int(later.sum()))
    changed.loc[later, "y_obs"] = 0.0
    beyond = ex["ds"] > origin + pd.Timedelta(days=3)  # the plan of days past the horizon
    ex2 = ex.assign(promo=np.where(beyond, 1.0 - ex["promo"], ex["promo"]))
    b = weekday.frame_forecasts(changed, ex2, static, origins, 3, cfg)
    assert a["weekday"].notna().any()
    pd.testing.assert_frame_equal(a, b)
    # and the forecast does move with the days up to the origin
    earlier = hist["ds"] == origin
    c = weekday.frame_forecasts(hist.assign(y=np.where(earlier, hist["y"] * 3, hist["y"])), ex, static, origins, 3, cfg)
    assert not np.allclose(a["weekday"].fillna(0), c["weekday"].fillna(0))


def test_the_replay_forecaster_is_the_weekday_model() -> None:
    h = replay_synthetic.history(stores=2, products=4, days=60)
    F = replay.forecasts(h, 27, 3)
    G = weekday.forecasts(h, 27, 3, weekday.WeekdayConfig(), in_share=1.0 - h.out_hours / 16.0)
    assert np.array_equal(F, G, equal_nan=True)
    assert replay.ForecastConfig is weekday.WeekdayConfig


def test_the_14_day_lightgbm_can_count_days_as_the_calendar_does() -> None:
    dates = pd.DatetimeIndex(["2024-04-27", "2024-04-28", "2024-05-01", "2024-05-02", "2024-05-11", "2024-05-12"])
    # Saturday, Sunday 28 April (a make-up working day), Wednesday 1 May (Labour Day), Thursday 2 May (a day off
    # moved next to it: its own weekday), Saturday 11 May (a make-up working day), Sunday
    assert list(weekday.calendar_weekdays(dates, "CN")) == [5, 0, 5, 3, 0, 6]
    assert list(weekday.calendar_weekdays(dates, "")) == [5, 6, 2, 3, 5, 6]
    feature = engine._calendar_dayofweek("CN")
    assert list(feature(pd.DatetimeIndex([*dates, dates[1]]))) == [5, 0, 5, 3, 0, 6, 0]
    cfg = replace(CFG, calendar_weekday=True, weekday_calendar="CN")
    assert "dayofweek_calendar" in [getattr(f, "__name__", f) for f in engine._lgbm(cfg).ts.date_features]
    assert "dayofweek" in engine._lgbm(CFG).ts.date_features

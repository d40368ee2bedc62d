"""The ninth round (model version 1.13): a run's first days carry the 2-day (daily-ordering) model's forecast of
demand beside the 14-day model's sales forecast, which is unchanged, in every chunk however the chunks run; the
demand's quantiles are the conformal bands at its mean; the weekday model counts the days in each site's country's
calendar (docs/forecasting.md, "Ninth round")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.forecasting import api as forecasting_api
from boh.forecasting import engine, models, queries, service, weekday
from boh.kernel.clock import utcnow
from tests.factories import make_site, make_tenant
from tests.forecasting.conftest import CFG, synthetic
from tests.inventory.factories import make_item, mv, post

QS = ["q10", "q50", "q80", "q90", "q95", "q99"]
DQS = [f"demand_{q}" for q in QS]


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The shared synthetic series with a 2-day target of their own (as a run's recovered demand is)."""
    hist, future, static = synthetic()
    bump = np.where(hist["ds"].dt.dayofweek == 2, 1.5, 1.0)  # Wednesdays' recovered demand above their sales
    return hist.assign(y_short=hist["y"] * bump), future, static


def expected_short(hist: pd.DataFrame, future: pd.DataFrame, static: pd.DataFrame, cfg: engine.Config) -> pd.DataFrame:
    """The 2-day model's forecast of a run computed on its own: per chunk of the run, ``predict_short`` from the
    origin on the modelled series' 2-day target (unique_id, ds, mean)."""
    parts = []
    ids_all = hist["unique_id"].unique().tolist() + future["unique_id"].unique().tolist()
    for ids in engine.chunks(ids_all, cfg.chunk_size):
        h = hist[hist["unique_id"].isin(ids)]
        counts = h.groupby("unique_id").size()
        last = h.groupby("unique_id")["ds"].max()
        keep = [u for u in counts.index if counts[u] >= cfg.min_history and last[u] == h["ds"].max()]
        if not keep:
            continue
        frame = h[h["unique_id"].isin(keep)].sort_values(["unique_id", "ds"]).reset_index(drop=True)
        frame = frame.assign(y=frame["y_short"]) if "y_short" in frame else frame
        exog = [c for c in cfg.exog if c in frame.columns]
        plan = pd.concat([frame[["unique_id", "ds", *exog]], future[future["unique_id"].isin(keep)][
            ["unique_id", "ds", *exog]]], ignore_index=True)  # fmt: skip
        short = engine.predict_short(frame, plan, static[static["unique_id"].isin(keep)], cfg, [frame["ds"].max()],
                                     cfg.short_horizon)  # fmt: skip
        parts.append(short[["unique_id", "ds", "mean"]])
    return pd.concat(parts, ignore_index=True)


def _monotone(fc: pd.DataFrame, cols: list[str] = QS) -> None:
    q = fc[cols].to_numpy(dtype=float)
    assert (q >= 0).all() and (np.diff(q, axis=1) >= -1e-9).all()


def test_the_first_days_carry_the_2_day_models_demand_beside_an_unchanged_sales_forecast() -> None:
    hist, future, static = _frames()
    cfg = replace(CFG, chunk_size=3)  # two chunks: each fits its own 2-day model
    on = engine.run(hist, future, static, cfg).forecasts
    off = engine.run(hist, future, static, replace(cfg, short_horizon=0)).forecasts
    assert engine.Config().short_horizon == 2 and "short_horizon" in cfg.describe()
    want = expected_short(hist, future, static, cfg)
    assert len(want) == 2 * 5 and set(want["unique_id"]) == {"s0", "s1", "s2", "s3", "slow"}  # not the new item
    got = on.merge(want, on=["unique_id", "ds"], how="left", suffixes=("", "_2d"))
    first = got["mean_2d"].notna()
    assert np.allclose(got.loc[first, "demand"], got.loc[first, "mean_2d"], rtol=0, atol=1e-9)
    assert got.loc[~first, ["demand", *DQS]].isna().all().all()  # no demand forecast on the other days
    # the 2-day model learned the 2-day target, not the 14-day one
    plain = expected_short(hist.drop(columns="y_short"), future, static, cfg)
    assert not np.allclose(want["mean"], plain["mean"])
    # the sales forecast is the run without it on every day, the first days included, quantiles and models
    key = ["unique_id", "ds"]
    same = on.merge(off, on=key, suffixes=("", "_off"))
    assert len(same) == len(on) == len(off)
    for c in ["mean", "model", *QS]:
        assert (same[c] == same[f"{c}_off"]).all(), c
    assert not np.allclose(got.loc[first, "demand"], got.loc[first, "mean"])  # two forecasts, not one twice
    _monotone(on)
    _monotone(on[first.to_numpy()], ["demand_q10", "demand_q50", "demand_q80", "demand_q90", "demand_q95",
                                     "demand_q99"])  # fmt: skip
    # off: no demand columns filled
    assert off.reindex(columns=["demand", *DQS]).isna().all().all()


def test_the_demand_bands_are_the_conformal_offsets_at_the_demand_mean() -> None:
    hist, future, static = _frames()
    res = engine.fit_predict(hist, future, static, CFG)
    bands = engine._conformal(res.residuals, CFG)
    again = engine._apply_bands(res.forecasts[["unique_id", "ds", "model", "mean"]], bands, CFG)
    for q in QS:
        assert np.allclose(again[q], res.forecasts[q])
    days = res.forecasts[res.forecasts["demand"].notna()]
    at_demand = engine._apply_bands(days[["unique_id", "ds", "model"]].assign(mean=days["demand"]), bands, CFG)
    for q in QS:
        assert np.allclose(at_demand[q], days[f"demand_{q}"])
    assert len(days) == 10 and (days["demand_q99"] >= days["demand_q50"]).all()


def test_the_same_numbers_in_process_and_over_two_processes() -> None:
    hist, future, static = _frames()
    cfg = replace(CFG, chunk_size=3)
    a = engine.run(hist, future, static, cfg).forecasts
    b = engine.run(hist, future, static, cfg, processes=2).forecasts
    assert a["demand"].notna().sum() == 10
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_the_2_day_model_takes_the_modelled_series_with_history_up_to_the_origin() -> None:
    hist, _, _ = _frames()
    early = hist[~((hist["unique_id"] == "s1") & (hist["ds"] > hist["ds"].max() - pd.Timedelta(days=3)))]
    known = pd.Index(["s0", "s1", "s2", "s3", "slow"])  # at least min_history days ("new" has 10)
    assert list(engine.short_series(early, known)) == ["s0", "s2", "s3", "slow"]
    assert list(engine.short_series(hist, known[:2])) == ["s0", "s1"]


def test_the_weekday_model_counts_days_in_each_sites_country() -> None:
    hist, future, static = _frames()
    countries = {"s0": "CN", "s1": "CN", "s2": "ZZ", "s3": "", "slow": "CN", "new": "CN"}  # ZZ: unknown
    static = static.assign(country=static["unique_id"].map(countries))
    cfg = replace(CFG, weekday_calendar=engine.SITE_CALENDAR)
    assert engine.series_calendars(static, ["s0", "s2", "s3", "nobody"]).tolist() == ["CN", "", "", ""]
    assert engine.weekday_config(cfg).calendar == "" and engine.weekday_config(CFG, "cn").calendar == "CN"
    ex = pd.concat([hist, future])[["unique_id", "ds", "promo", "discount"]]
    origins = [hist["ds"].max()]  # 2024-05-09: the next days hold Saturday 11 May, a make-up working day in China
    got = engine.weekday_frame(hist, ex, static, origins, 7, cfg)
    cn = ["new", "s0", "s1", "slow"]
    for ids, cal in ((cn, "CN"), (["s2", "s3"], "")):
        one = weekday.frame_forecasts(hist[hist["unique_id"].isin(ids)], ex, static[static["unique_id"].isin(ids)],
                                      origins, 7, weekday.WeekdayConfig(calendar=cal))  # fmt: skip
        mine = got[got["unique_id"].isin(ids)].sort_values(["unique_id", "ds"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one.sort_values(["unique_id", "ds"]).reset_index(drop=True))
    # a one-country chain: the same as naming the country, not the plain weekday
    all_cn = static.assign(country="CN")
    site = engine.run(hist, future, all_cn, replace(cfg, chunk_size=10)).forecasts
    named = engine.run(hist, future, all_cn, replace(CFG, chunk_size=10, weekday_calendar="CN")).forecasts
    plain = engine.run(hist, future, all_cn, replace(CFG, chunk_size=10)).forecasts
    pd.testing.assert_frame_equal(site, named)
    assert not np.allclose(site["mean"], plain["mean"])


# --- a production run against both databases ---------------------------------------------------------------

DAYS = 63


def _world(rt: Runtime) -> tuple[Any, list[int], list[int]]:
    t = make_tenant(rt)
    sites = [make_site(rt, t, "S001"), make_site(rt, t, "S002", country="US")]
    items = [make_item(rt, t, "MILK-1L"), make_item(rt, t, "BREAD")]
    first = datetime.combine(utcnow().date() - timedelta(days=DAYS), time(9), tzinfo=UTC)
    rng = np.random.default_rng(11)
    moves = []
    for s in sites:
        for i in items:
            moves.append(mv(s, i, "receipt", "10000", f"r{s}-{i}", event_at=first - timedelta(hours=1), unit_cost="1"))
            for d in range(DAYS):
                at = first + timedelta(days=d)
                qty = int(rng.poisson(8 + 4 * (at.weekday() >= 5)))
                if qty:
                    moves.append(mv(s, i, "sale", f"-{qty}", f"s{s}-{i}-{d}", event_at=at))
    post(rt, t, *moves)  # type: ignore[arg-type]
    return t, sites, items


def test_a_production_run_stores_the_demand_of_the_first_days_beside_the_sales_forecast(runtime: Runtime) -> None:
    t, sites, items = _world(runtime)
    origin = utcnow().date() - timedelta(days=1)
    opts = service.RunOptions(horizon=7, origin=origin)
    with runtime.system_uow(t.id) as uow:
        fr = service.prepare(uow.session, uow.principal.scope(service.RUN), opts, origin)
        off = service.run_forecast(uow, replace(opts, short_horizon=0))
        run = service.run_forecast(uow, opts)  # the latest: the one read
        uow.commit()
        F = models.Forecast
        rows = {r.id: list(uow.session.scalars(select(F).where(F.run_id == r.id).order_by(F.site_id, F.item_id,
                                                                                        F.day)))
                for r in (run, off)}  # fmt: skip
        config = run.config
        shown = queries.get_series(uow.session, uow.principal.scope(service.READ), sites[0], items[0])
        chosen = uow.session.get(models.SeriesMetric, (run.id, sites[0], items[0]))
        # what store ordering reads: the demand where there is one, the sales forecast after it
        ordering = forecasting_api.forecast_quantiles(uow.session, t.id, sites[0], [items[0]], origin,
                                                      origin + timedelta(days=8))[items[0]]  # fmt: skip
    assert config["short_horizon"] == 2 and config["weekday_calendar"] == "site"
    assert config["weekday_calendars"] == ["CN", "US"]  # each site's country: S001 China, S002 the United States
    assert off.config["short_horizon"] == 0 and run.model_version == "boh-forecast-1.13"
    assert set(fr.static["country"]) == {"CN", "US"} and "y_short" in fr.hist.columns
    want = expected_short(fr.hist, fr.future, fr.static, service._config(opts))
    want["day"] = want["ds"].dt.date
    cols = ["mean", *QS, "demand", *DQS]
    stored, base = (
        pd.DataFrame([(f"{r.site_id}|{r.item_id}", r.day, r.model,
                       *(np.nan if getattr(r, c) is None else float(getattr(r, c)) for c in cols)) for r in rows[k]],
                     columns=["unique_id", "day", "model", *cols])
        for k in (run.id, off.id)
    )  # fmt: skip
    got = stored.merge(want[["unique_id", "day", "mean"]], on=["unique_id", "day"], how="left", suffixes=("", "_2d"))
    first = got["mean_2d"].notna()
    assert first.sum() == 4 * 2 and set(got.loc[first, "day"]) == {
        origin + timedelta(days=1),
        origin + timedelta(days=2),
    }
    assert np.allclose(got.loc[first, "demand"], got.loc[first, "mean_2d"], atol=1e-6)  # stored to 6 decimals
    assert got.loc[~first, ["demand", *DQS]].isna().all().all() and base[["demand", *DQS]].isna().all().all()
    same = got.merge(base, on=["unique_id", "day"], suffixes=("", "_off"))
    assert len(same) == 4 * 7  # the sales forecast: the run without it on every day
    for c in ["mean", "model", *QS]:
        assert (same[c] == same[f"{c}_off"]).all(), c
    _monotone(stored)
    _monotone(stored[first.to_numpy()], DQS)
    assert chosen is not None and shown.model == chosen.model and {f.model for f in shown.forecast} == {chosen.model}
    assert [f.demand is not None for f in shown.forecast] == [True, True, False, False, False, False, False]
    assert [(d, m) for d, m, _q50, _q90 in ordering] == [
        (f.day, f.demand if f.demand is not None else f.mean) for f in shown.forecast
    ]
    assert [q90 for *_x, q90 in ordering][:2] == [f.demand_q90 for f in shown.forecast][:2]

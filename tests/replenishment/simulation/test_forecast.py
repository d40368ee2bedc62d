"""The replay's forecaster and quantiles. Quantiles when every series gets its own service level (the "service
spread"): steadier series get a higher level, erratic ones a lower one (never below 0.5), the median series keeps
the swept level, the error scale of a series only looks at days up to the origin, and the quantiles grow with the
level. The forecaster's parts recover known effects on made-up data (each category's promotion uplift, each
series' own promotion ratio, a product's recent move in every store, a day recovered from a few in-stock hours
weighing less) and no forecast uses anything after its origin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boh.replenishment.simulation import data, forecast, synthetic


def test_spread_levels_favour_the_steady_series() -> None:
    unit = np.array([0.5, 1.0, 2.0, 50.0])
    flat = forecast.spread_levels(0.9, unit, 0.0)
    assert flat.tolist() == [0.9] * 4
    lv = forecast.spread_levels(0.9, unit, 1.0)
    assert lv[0] > lv[1] > lv[2] > lv[3] == 0.5  # the most erratic series is floored at its mean
    assert lv[1] > 0.9 > lv[2]  # the median error scale (1.5) lies between them
    half = forecast.spread_levels(0.9, unit, 0.5)
    assert lv[0] > half[0] > 0.9  # half the reallocation
    med = forecast.spread_levels(0.9, np.array([1.0, 1.0, 1.0]), 1.0)
    assert med == pytest.approx([0.9, 0.9, 0.9], abs=1e-3)  # at the median: the swept level itself


def test_series_scale_sees_only_the_past_and_follows_each_series_errors() -> None:
    h = synthetic.history(stores=2, products=4, days=70)
    F = forecast.forecasts(h, 27, 4)
    U = forecast.series_scale(F, h.demand, 27, 28)
    noisy = h.demand.copy()
    noisy[0, 40:] *= np.where(np.arange(30) % 2, 3.0, 0.2)  # series 0 turns erratic from day 40
    F2 = forecast.forecasts(h, 27, 4)  # the forecasts stay those of the original history: only errors change
    U2 = forecast.series_scale(F2, noisy, 27, 28)
    assert np.array_equal(U[:40], U2[:40], equal_nan=True)  # day 40's demand first counts at origin 40
    assert not np.array_equal(U[40], U2[40])
    growth = U2[60] / U[60]
    assert growth[0] > 1.5 and growth[0] > 1.5 * growth[1:].max()  # the erratic series' scale grows most
    assert (growth[1:] >= 1.0 - 1e-9).all()  # the others only through the pooled prior


def test_spread_quantiles_grow_with_the_level() -> None:
    h = synthetic.history(stores=2, products=4, days=70)
    F = forecast.forecasts(h, 27, 4)
    Q = forecast.quantile_sums(F, h.demand, 2, [0.6, 0.9, 0.98], 27, spread=0.5)
    o = slice(40, 68)
    assert (Q[0.6][o] <= Q[0.9][o] + 1e-9).all() and (Q[0.9][o] <= Q[0.98][o] + 1e-9).all()
    assert (Q[0.98][o] > Q[0.6][o]).mean() > 0.9


def _made(known: np.ndarray, category: np.ndarray, product: np.ndarray, activity: np.ndarray,
          out_hours: np.ndarray | None = None) -> data.History:  # fmt: skip
    """A history whose latent demand is ``known`` itself (S, T), one store per series, day 0 a Monday."""
    n_s, n_t = known.shape
    return data.History(
        store=np.arange(n_s), product=product, city=np.zeros(n_s, dtype=np.int64), category=category,
        days=pd.date_range("2026-01-05", periods=n_t, freq="D"), sales=known.copy(), demand=known.copy(),
        known=known.copy(), out_hours=np.zeros_like(known) if out_hours is None else out_hours,
        profile=np.full((n_s, 24), 1 / 24), discount=np.where(activity > 0.5, 0.8, 1.0), activity=activity,
    )  # fmt: skip


def test_each_category_gets_its_own_promotion_uplift() -> None:
    rng = np.random.default_rng(5)
    n_s, n_t = 400, 60
    category = np.arange(n_s) % 2  # promotions lift category 0 by 1.2, category 1 by 2.0
    activity = (rng.random((n_s, n_t)) < 0.3).astype(float)
    mean = rng.gamma(3.0, 0.5, size=(n_s, 1)) * np.where(activity > 0, np.where(category == 0, 1.2, 2.0)[:, None], 1.0)
    h = _made(rng.gamma(20.0, mean / 20.0), category, np.arange(n_s), activity)
    cat = category.astype(np.int64)
    promo, plain = forecast._bin(np.array(0.8), np.array(1.0)), forecast._bin(np.array(1.0), np.array(0.0))
    own = forecast._fit(h, 55, forecast.ForecastConfig(series_uplift=0.0), cat).uplift
    lift = own[:, promo] / own[:, plain]
    assert lift == pytest.approx([1.2, 2.0], rel=0.05)
    pooled = forecast._fit(h, 55, forecast.ForecastConfig(category_uplift=0.0, series_uplift=0.0), cat).uplift
    assert pooled[0, promo] / pooled[0, plain] == pytest.approx(pooled[1, promo] / pooled[1, plain])  # one for all
    # and each series' own promotion ratio: within category 1, half the series respond 3.0x, not 2.0x
    strong = (category == 1) & (np.arange(n_s) % 4 == 1)
    mean2 = np.where(strong[:, None] & (activity > 0), mean * 1.5, mean)
    fit = forecast._fit(_made(rng.gamma(20.0, mean2 / 20.0), category, np.arange(n_s), activity), 55,
                        forecast.ForecastConfig(), cat)  # fmt: skip
    weak = (category == 1) & ~strong
    assert fit.own[strong].mean() > 1.1 > fit.own[weak].mean() * 1.05
    assert abs(np.log(fit.own[category == 0]).mean()) < 0.05  # a category alike throughout: no own effect


def test_a_products_recent_move_in_every_store_lifts_each_series_level() -> None:
    n_s, n_t = 60, 60
    product = np.arange(n_s) % 2
    known = np.ones((n_s, n_t))
    known[product == 0, 50:] = 2.0  # product 0 doubles in every store from day 50
    h = _made(known, np.zeros(n_s, dtype=np.int64), product, np.zeros((n_s, n_t)))
    on = forecast.forecasts(h, 27, 2)
    off = forecast.forecasts(h, 27, 2, forecast.ForecastConfig(momentum=0.0))
    o = 52
    assert on[o, product == 0, 1].mean() > off[o, product == 0, 1].mean() * 1.1  # closer to the new 2.0
    assert on[o, product == 0, 1].mean() < 2.0
    assert on[o, product == 1, 1] == pytest.approx(off[o, product == 1, 1])  # a product that did not move


def test_a_day_out_of_stock_for_hours_weighs_less_in_the_level() -> None:
    n_s, n_t = 4, 60
    known = np.ones((n_s, n_t))
    known[:, 45] = 4.0  # a high recovered figure on day 45 ...
    out_hours = np.zeros((n_s, n_t))
    out_hours[:2, 45] = 14.0  # ... recovered from two in-stock hours on series 0-1, a full day on series 2-3
    h = _made(known, np.zeros(n_s, dtype=np.int64), np.arange(n_s), np.zeros((n_s, n_t)), out_hours)
    F = forecast.forecasts(h, 27, 2, forecast.ForecastConfig(momentum=0.0))
    assert F[46, 0, 1] < 1.0 + 0.5 * (F[46, 2, 1] - 1.0)  # the extrapolated day moves the level far less
    flat = forecast.forecasts(h, 27, 2, forecast.ForecastConfig(momentum=0.0, stockout_weight=0.0))
    assert flat[46, 0, 1] == pytest.approx(flat[46, 2, 1])


def test_forecasts_use_nothing_after_their_origin() -> None:
    h = synthetic.history(stores=2, products=6, days=70)
    F = forecast.forecasts(h, 27, 4)
    t = 45
    later = h.take(np.arange(h.n))
    rng = np.random.default_rng(2)
    later.known = h.known.copy()
    later.known[:, t + 1 :] *= rng.uniform(0.2, 3.0, size=later.known[:, t + 1 :].shape)
    later.demand = later.known.copy()
    later.out_hours = h.out_hours.copy()
    later.out_hours[:, t + 1 :] = rng.integers(0, 16, size=later.out_hours[:, t + 1 :].shape)
    F2 = forecast.forecasts(later, 27, 4)
    assert np.array_equal(F[: t + 1], F2[: t + 1], equal_nan=True)  # every component: levels, refits, momentum
    assert not np.allclose(F[t + 1], F2[t + 1])


def _calendar_history(n_t: int = 70) -> data.History:
    """Days from 2024-03-28 (as FreshRetailNet-50K): demand 1 on working days, 3 on weekends and on the public
    holidays' own days (Thursday 4 April, Wednesday 1 May), and 1 on China's weekend working days of that spring
    (Sunday 7 April, Sunday 28 April, Saturday 11 May) and the days off moved next to a holiday (5 April, 2-3 May:
    the data shows them as ordinary days)."""
    days = pd.date_range("2024-03-28", periods=n_t, freq="D")
    work = {pd.Timestamp(d) for d in ("2024-04-07", "2024-04-28", "2024-05-11")}
    festival = {pd.Timestamp(d) for d in ("2024-04-04", "2024-05-01")}
    row = np.array([3.0 if (d.dayofweek >= 5 and d not in work) or d in festival else 1.0 for d in days])
    h = _made(np.tile(row, (6, 1)), np.zeros(6, dtype=np.int64), np.arange(6), np.zeros((6, n_t)))
    h.days = days
    return h


def test_weekend_working_days_count_as_mondays_and_holidays_as_saturdays() -> None:
    h = _calendar_history()
    plain = forecast.weekdays(h, 80, "")
    assert np.array_equal(plain, pd.date_range("2024-03-28", periods=80, freq="D").dayofweek)
    cn = forecast.weekdays(h, 80, "CN")
    moved = {str((h.days[0] + pd.Timedelta(days=int(d))).date()): int(cn[d]) for d in np.flatnonzero(cn != plain)}
    assert moved == {"2024-04-07": 0, "2024-04-28": 0, "2024-05-11": 0,  # weekend working days: Mondays
                     "2024-04-04": 5, "2024-05-01": 5, "2024-06-10": 5}  # holidays' own days: Saturdays  # fmt: skip
    de = forecast.weekdays(h, 80, "DE")  # a country without weekend working days: no day becomes a Monday
    assert not (de[de != plain] == 0).any()


def test_a_weekend_working_day_is_forecast_as_a_working_day_and_a_holiday_as_a_saturday() -> None:
    h = _calendar_history()
    sat = 44  # Saturday 11 May 2024, a working day; forecast two days ahead from day 42
    assert h.days[sat] == pd.Timestamp("2024-05-11")
    cn = forecast.forecasts(h, 27, 3, forecast.ForecastConfig(momentum=0.0))
    off = forecast.forecasts(h, 27, 3, forecast.ForecastConfig(momentum=0.0, calendar=""))
    assert cn[sat - 2, :, 1] == pytest.approx(1.0, rel=0.05)  # like a Monday
    assert off[sat - 2, :, 1].mean() > 2.0  # without the calendar: a Saturday
    assert cn[sat - 2, :, 2] == pytest.approx(3.0, rel=0.05)  # the Sunday after: a weekend day, its index clean
    assert cn[sat - 2, :, 2].mean() > off[sat - 2, :, 2].mean()  # (the 28 April workday pulled it down)
    may1 = 34  # Wednesday 1 May, Labour Day
    assert cn[may1 - 2, :, 1] == pytest.approx(3.0, rel=0.05)  # like a Saturday
    assert off[may1 - 2, :, 1].mean() < 2.0  # without the calendar: a Wednesday
    assert cn[may1 - 1, :, 1] == pytest.approx(1.0, rel=0.05)  # 2 May, a day off moved next to it: a Thursday


def test_forecasts_with_the_calendar_use_nothing_after_their_origin() -> None:
    h = _calendar_history()
    rng = np.random.default_rng(4)
    h.known = h.known * rng.uniform(0.8, 1.2, size=h.known.shape)
    F = forecast.forecasts(h, 27, 4)
    t = 40  # the 11 May working day (44) lies after the origin
    later = h.take(np.arange(h.n))
    later.known = h.known.copy()
    later.known[:, t + 1 :] *= rng.uniform(0.2, 3.0, size=later.known[:, t + 1 :].shape)
    later.demand = later.known.copy()
    F2 = forecast.forecasts(later, 27, 4)
    assert np.array_equal(F[: t + 1], F2[: t + 1], equal_nan=True)
    assert not np.allclose(F[t + 1], F2[t + 1])


def _perturbed_after(h: data.History, t: int, seed: int) -> data.History:
    """The same history with every day after ``t`` changed: demand as known, latent demand, sales and stockout
    hours (the promotion plan, known ahead, unchanged)."""
    rng = np.random.default_rng(seed)
    later = h.take(np.arange(h.n))
    later.known = h.known.copy()
    later.known[:, t + 1 :] *= rng.uniform(0.2, 3.0, size=later.known[:, t + 1 :].shape)
    later.demand, later.sales = later.known.copy(), later.known.copy()
    later.out_hours = h.out_hours.copy()
    later.out_hours[:, t + 1 :] = rng.integers(0, 16, size=later.out_hours[:, t + 1 :].shape)
    return later


def test_the_engine_forecaster_uses_nothing_after_its_origin() -> None:
    pytest.importorskip("mlforecast")
    h = synthetic.history(stores=2, products=6, days=60)
    start = forecast.ENGINE_MIN_DAYS - 1  # LightGBM's first origin
    F = forecast.engine_forecasts(h, 27, 6, 4)
    W = forecast.forecasts(h, 27, 6)
    assert np.array_equal(F[:start], W[:start], equal_nan=True)  # before LightGBM can fit: the weekday model
    assert np.array_equal(F[start:, :, 4:], W[start:, :, 4:])  # the days past the policy's: the weekday model
    assert not np.allclose(F[start:, :, :4], W[start:, :, :4])  # the engine's blend
    assert np.isfinite(F[start:, :, :4]).all() and (F[start:, :, :4] >= 0).all()
    for t in (start, start + 9):  # LightGBM's first fit, and an origin two days after its refit
        F2 = forecast.engine_forecasts(_perturbed_after(h, t, seed=t), 27, 6, 4)
        assert np.array_equal(F[: t + 1], F2[: t + 1], equal_nan=True)
        assert not np.allclose(F[t + 1], F2[t + 1])

"""The replay's quantiles when every series gets its own service level (the "service spread"): steadier
series get a higher level, erratic ones a lower one (never below 0.5), the median series keeps the swept
level, the error scale of a series only looks at days up to the origin, and the quantiles grow with the level."""

from __future__ import annotations

import numpy as np
import pytest

from boh.replenishment.simulation import forecast, synthetic


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

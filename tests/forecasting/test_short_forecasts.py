"""``api.short_forecasts``: the engine's daily-ordering forecast (``engine.predict_short``) from every origin as
arrays, the replenishment replay's "engine" forecaster. It is the engine's forecast (LightGBM alone, or blended
with a given weekday forecast by the engine's rule), laid out as F[origin, series, day ahead], and a forecast from
an origin reads nothing after it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from boh.forecasting import api, engine
from boh.replenishment.simulation import synthetic

pytest.importorskip("mlforecast")

FIRST = 35  # LightGBM's lag features need 29 days, and a week of rows to learn from


def _later(h, t: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(t)
    out = h.take(np.arange(h.n))
    out.known = h.known.copy()
    out.known[:, t + 1 :] *= rng.uniform(0.2, 3.0, size=out.known[:, t + 1 :].shape)
    return out


def test_the_arrays_are_the_engines_forecasts() -> None:
    h = synthetic.history(stores=2, products=4, days=50)
    L = api.short_forecasts(h, FIRST, 3, blend=0.0, last_origin=FIRST + 2)
    assert np.isnan(L[:FIRST]).all() and np.isnan(L[FIRST + 3 :]).all()
    ids = [f"{i:07d}" for i in range(h.n)]
    frame = pd.DataFrame({"unique_id": np.repeat(ids, len(h.days)), "ds": np.tile(h.days, h.n), "y": h.known.ravel(),
                          "discount": h.discount.ravel(), "promo": h.activity.ravel()})  # fmt: skip
    static = pd.DataFrame({"unique_id": ids, "category": h.category.astype(float), "group": 0.0,
                           "item": h.product})  # fmt: skip
    cfg = engine.Config(weekday_calendar="CN", weekday_blend_2d=0.0)
    origins = [h.days[o] for o in range(FIRST, FIRST + 3)]
    short = engine.predict_short(frame, frame[["unique_id", "ds", "discount", "promo"]], static, cfg, origins, 3, 7)
    row = short[(short["unique_id"] == ids[5]) & (short["origin"] == h.days[FIRST + 1])].sort_values("ds")
    assert L[FIRST + 1, 5] == pytest.approx(row["mean"].to_numpy())  # origin 36, series 5, days 37-39
    # blended with a given weekday forecast: (1 - w) x LightGBM + w x weekday, each clipped at 0
    W = np.full(L.shape, 2.0)
    B = api.short_forecasts(h, FIRST, 3, weekday=W, blend=0.25, last_origin=FIRST + 2)
    assert np.allclose(B[FIRST : FIRST + 3], 0.75 * L[FIRST : FIRST + 3] + 0.5)


@pytest.mark.parametrize("weekday", [False, True])
def test_a_forecast_reads_nothing_after_its_origin(weekday: bool) -> None:
    h = synthetic.history(stores=2, products=5, days=56)
    W = np.ones((len(h.days), h.n, 2)) if weekday else None
    in_stock = h.out_hours == 0
    F = api.short_forecasts(h, FIRST, 2, weekday=W, in_stock=in_stock)  # the engine's own blend when W is None
    for t in (FIRST, FIRST + 8):  # the first fit, and an origin after the refit at FIRST + 7
        later = _later(h, t)
        stock = in_stock.copy()
        stock[:, t + 1 :] = ~stock[:, t + 1 :]
        F2 = api.short_forecasts(later, FIRST, 2, weekday=W, in_stock=stock)
        assert np.array_equal(F[: t + 1], F2[: t + 1], equal_nan=True)
        assert not np.allclose(F[t + 1], F2[t + 1])

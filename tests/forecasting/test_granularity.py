"""Series by granularity (docs/forecasting.md, "Eighth round (b)"): the unit a series' sales are counted in, the
fine series (some sale off the chain's count unit: a weighed item), and the engine's options for them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from boh.forecasting import domain, engine
from tests.forecasting.conftest import CFG, synthetic


def test_the_count_unit_is_the_coarsest_step_most_positive_values_are_multiples_of() -> None:
    assert domain.count_unit(np.array([1.0, 2.0, 3.0, 0.0, 5.0])) == 1.0  # integer counts
    assert domain.count_unit(np.array([0.1, 0.3, 0.2, 1.7, 0.0])) == 0.1  # counts in tenths (FreshRetailNet)
    assert domain.count_unit(np.array([0.25, 0.5, 1.75])) == 0.25
    assert domain.count_unit(np.array([0.13, 0.27, 1.01])) == 0.01  # weighed to 10 g
    assert domain.count_unit(np.array([0.123, 0.337, 2.5])) == 0.001  # to the gram
    assert domain.count_unit(np.array([0.1234, 0.3371])) == 0.0  # no unit fits
    assert domain.count_unit(np.array([0.0, -1.0, np.nan])) == 0.0  # nothing positive
    # robust: one odd value in twenty does not change the unit; three in twenty do
    counts = np.arange(1, 21) / 10
    assert domain.count_unit(np.r_[counts[:19], 0.37]) == 0.1
    assert domain.count_unit(np.r_[counts[:17], 0.37, 0.53, 0.73]) == 0.01
    assert domain.on_unit(np.array([0.3, 0.1 + 0.2, 0.35, 3.0]), 0.1).tolist() == [True, True, False, True]


def test_granularity_marks_the_series_with_a_sale_off_the_chains_unit() -> None:
    ds = pd.date_range("2024-01-01", periods=20)
    frame = pd.DataFrame({
        "unique_id": np.repeat(["count", "weighed", "odd", "none"], 20), "ds": np.tile(ds, 4),
        "y_obs": np.r_[np.arange(20) / 10, np.linspace(0.13, 2.57, 20).round(2),
                       np.r_[np.arange(19) / 10, 0.37], np.zeros(20)],
    })  # fmt: skip
    g = domain.granularity(frame).set_index("unique_id")
    assert list(g.index) == ["count", "weighed", "odd", "none"]  # every series, in the frame's order
    assert g.loc["count", "unit_share"] == 1.0 and g.loc["count", "fine"] == 0.0
    assert g.loc["weighed", "unit_share"] < 0.5 and g.loc["weighed", "fine"] == 1.0
    assert g.loc["odd", "unit_share"] == pytest.approx(18 / 19) and g.loc["odd", "fine"] == 1.0  # 0.0 not counted
    assert g.loc["none", "unit_share"] == 1.0 and g.loc["none", "fine"] == 0.0  # no sale: not fine
    # only the periods given: cut before the odd day (a forecast origin), the series is a count series
    early = domain.granularity(frame[frame["ds"] < ds[-1]]).set_index("unique_id")
    assert early.loc["odd", "fine"] == 0.0 and early.loc["weighed", "fine"] == 1.0
    # the unit may be given (integer counts: every tenth is off it)
    assert domain.granularity(frame, unit=1.0).set_index("unique_id").loc["count", "fine"] == 1.0


def _fine_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The synthetic series in tenths of a unit (a count series), s1 and s3 weighed (to the hundredth)."""
    hist, future, static = synthetic()
    hist = hist.copy()
    hist["y"] = hist["y"] / 10
    weighed = hist["unique_id"].isin(["s1", "s3"]) & (hist["y"] > 0)
    hist.loc[weighed, "y"] = hist.loc[weighed, "y"] + 0.03
    hist["y_obs"] = hist["y"]
    return hist, future, static


def test_the_fine_series_options_reach_the_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    hist, future, static = _fine_frames()
    seen: list[tuple[str, tuple[str, ...], str, pd.DataFrame]] = []
    backtest, final = engine._backtest, engine._final

    def spy(kind: str, fn: Any) -> Any:
        def wrapped(h: pd.DataFrame, *args: Any) -> Any:
            cfg = next(a for a in args if isinstance(a, engine.Config))
            st = next(a for a in args if isinstance(a, pd.DataFrame) and "category" in a.columns)
            seen.append((kind, tuple(sorted(h["unique_id"].unique())), cfg.members, st))
            return fn(h, *args)

        return wrapped

    monkeypatch.setattr(engine, "_backtest", spy("backtest", backtest))
    monkeypatch.setattr(engine, "_final", spy("final", final))
    engine.fit_predict(hist, future, static, CFG)  # the default: one fit over all series
    assert [(k, ids) for k, ids, _, _ in seen] == [("backtest", ("s0", "s1", "s2", "s3", "slow"))] + [
        ("final", ("s0", "s1", "s2", "s3", "slow"))
    ]
    assert "fine" not in seen[0][3].columns
    seen.clear()
    res = engine.fit_predict(hist, future, static, replace(CFG, fine_members="regression"))
    assert sorted((k, ids, m) for k, ids, m, _ in seen) == [
        ("backtest", ("s0", "s2", "slow"), CFG.members), ("backtest", ("s1", "s3"), "regression"),
        ("final", ("s0", "s2", "slow"), CFG.members), ("final", ("s1", "s3"), "regression"),
    ]  # fmt: skip
    assert res.forecasts["mean"].notna().all() and set(res.choice["unique_id"]) == {"s0", "s1", "s2", "s3", "slow"}
    seen.clear()
    engine.fit_predict(hist, future, static, replace(CFG, static_features="category+group+fine"))
    assert len(seen) == 2  # a static feature, one fit
    fine = seen[0][3].set_index("unique_id")["fine"]
    assert fine[["s0", "s1", "s2", "s3", "slow"]].tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    frame = engine._ml_frame(hist, seen[0][3], replace(CFG, static_features="category+group+fine"))
    assert frame.groupby("unique_id")["fine"].first()[["s1", "s2"]].tolist() == [1.0, 0.0]  # LightGBM's column


def test_fine_series_can_have_their_own_margin_and_blend() -> None:
    hist, future, static = _fine_frames()
    classes = engine.classify(hist[hist["unique_id"] != "new"])
    modelled = hist[hist["unique_id"] != "new"]
    args = (modelled, future, static, classes)
    cv0, final0, margin0 = engine._by_granularity(*args, CFG, 7, ["promo", "discount"])
    assert margin0 == CFG.margin
    cv, final, margin = engine._by_granularity(*args, replace(CFG, margin=0.85, fine_margin=1.0, fine_blend=0.5), 7,
                                               ["promo", "discount"])  # fmt: skip
    assert margin.to_dict() == {"s0": 0.85, "s1": 1.0, "s2": 0.85, "s3": 1.0, "slow": 0.85}
    key = ["unique_id", "ds"]
    a = final0.sort_values(key).reset_index(drop=True)
    b = final.sort_values(key).reset_index(drop=True)
    fine = a["unique_id"].isin(["s1", "s3"])
    assert np.allclose(b.loc[~fine, "lgbm"], a.loc[~fine, "lgbm"])
    assert np.allclose(b.loc[fine, "lgbm"], 0.5 * a.loc[fine, "lgbm"].clip(lower=0) + 0.5 * a.loc[fine, "dow_ses"])
    assert len(cv) == len(cv0)


def test_a_fine_series_keeps_lightgbm_unless_a_statistical_model_beats_it_by_the_fine_margin() -> None:
    # backtest rows of two series: dow_ses's absolute error is 0.8x LightGBM's on both
    cv = pd.DataFrame({
        "unique_id": ["count", "count", "fine", "fine"], "y": [10.0, 10.0, 1.0, 1.0],
        "lgbm": [15.0, 5.0, 1.5, 0.5], "dow_ses": [14.0, 6.0, 1.4, 0.6],
    })  # fmt: skip
    classes = pd.Series({"count": "smooth", "fine": "smooth"})
    one = engine._choose(cv, classes, 0.85).set_index("unique_id")["model"]
    assert one.to_dict() == {"count": "dow_ses", "fine": "dow_ses"}
    margin = pd.Series({"count": 0.85, "fine": 0.7})  # ``fine_margin`` 0.7: the fine series keeps LightGBM
    per = engine._choose(cv, classes, margin).set_index("unique_id")["model"]
    assert per.to_dict() == {"count": "dow_ses", "fine": "lgbm"}


def test_the_margin_is_0_3_since_the_eighth_round_and_the_mean_can_have_its_own() -> None:
    assert engine.Config().margin == 0.3 and engine.Config().combo_margin == 0.0
    assert engine.MODEL_VERSION == "boh-forecast-1.13"
    assert (engine.Config().fine_margin, engine.Config().fine_blend, engine.Config().fine_ets) == (0.0, 0.0, 0.0)
    # backtest MAE: LightGBM 5, smoothing 2.5 (0.5x), their mean 3.75 (0.75x)
    cv = pd.DataFrame({"unique_id": ["a", "a"], "y": [10.0, 10.0], "lgbm": [15.0, 5.0], "dow_ses": [13.0, 8.0]})
    classes = pd.Series({"a": "smooth"})
    assert engine._choose(cv, classes, 0.85)["model"].tolist() == ["dow_ses"]
    assert engine._choose(cv, classes, 0.3)["model"].tolist() == ["lgbm"]  # neither within 0.3
    assert engine._choose(cv, classes, 0.3, combo_margin=0.8)["model"].tolist() == ["combo"]
    assert engine._choose(cv, classes, 0.6, combo_margin=0.5)["model"].tolist() == ["dow_ses"]
    assert engine._choose(cv, classes, 0.85, combo_margin=0.85)["model"].tolist() == ["dow_ses"]  # as one margin

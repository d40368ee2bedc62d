"""The study's ex-ante figure on a generated chain: BOH's level is read on the validation window where its
waste equals the baseline's at its best cover, then replayed on the test window (the level at 10% fewer
stockouts on validation is reported alongside); the target verdict follows the replayed ratios; the study's
service spread and order smoothing reach the replays."""

from __future__ import annotations

import dataclasses

import pytest

from boh.replenishment.simulation import sweep, synthetic

STUDY = sweep.Study(covers=(2.0, 2.5, 3.0, 3.5, 4.0), levels=(0.6, 0.7, 0.8, 0.9, 0.95), samples=0)


@pytest.fixture(scope="module")
def history() -> synthetic.History:
    return synthetic.history()


def test_ex_ante_level_is_read_at_the_baseline_waste_on_validation(history: synthetic.History) -> None:
    res = sweep.run(history, STUDY)
    cover = res["best_cover"]
    row = next(r for r in res["validation"]["versus"] if r["cover"] == cover)
    ex, old = res["validation_level_on_test"], res["validation_fewer_level_on_test"]
    assert ex["level"] == round(row["equal_waste"]["level"], 4) and ex["cover"] == cover
    assert old["level"] == round(row["fewer_stockouts"]["level"], 4)
    assert ex["level"] != old["level"]
    base = next(b["metrics"] for b in res["test"]["baseline"] if b["param"] == cover)
    assert ex["turnover_ratio"] == pytest.approx(ex["turnover"] / base["turnover"])
    assert ex["stockout_ratio"] == pytest.approx(ex["stockout_rate"] / base["stockout_rate"])
    met = ex["turnover_ratio"] >= 1.15 and ex["stockout_ratio"] <= 0.9 and ex["waste_ratio"] <= 1.0
    assert ex["met"] is met
    assert any("ex ante" in line for line in sweep.summary_lines(res))


def test_spread_and_smoothing_reach_the_replays(history: synthetic.History) -> None:
    plain = sweep.run(history, STUDY)
    other = sweep.run(history, dataclasses.replace(STUDY, spread=0.5, smoothing=0.7))
    assert [p["metrics"] for p in plain["test"]["baseline"]] == [p["metrics"] for p in other["test"]["baseline"]]
    for a, b in zip(plain["test"]["boh"], other["test"]["boh"], strict=True):
        assert a["metrics"]["turnover"] != b["metrics"]["turnover"]
    # smoothing damps the orders: less variance of the stores' orders at every level, spread alike
    spread = sweep.run(history, dataclasses.replace(STUDY, spread=0.5))
    for a, b in zip(spread["test"]["boh"], other["test"]["boh"], strict=True):
        assert b["metrics"]["bullwhip_store"] < a["metrics"]["bullwhip_store"]
    assert other["study"]["spread"] == 0.5 and other["study"]["smoothing"] == 0.7

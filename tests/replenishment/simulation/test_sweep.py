"""The study's ex-ante figure on a generated chain: BOH's level is read on the validation window where its
waste equals the baseline's at its best cover, then replayed on the test window (the level at 10% fewer
stockouts on validation is reported alongside); the target verdict follows the replayed ratios; the study's
service spread and order smoothing reach the replays; the spread is chosen on the validation window alone."""

from __future__ import annotations

import dataclasses

import numpy as np
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


def _row(turnover: float, stockouts: float) -> dict[str, object]:
    return {"equal_waste": {"turnover_ratio": turnover, "stockout_ratio": stockouts}}


def test_select_takes_the_spread_that_best_meets_the_target() -> None:
    # the weaker of the two margins counts: x1.20 turnover with x0.95 stockouts loses to x1.16 with x0.85
    assert sweep.select({0.0: _row(1.10, 0.80), 0.25: _row(1.16, 0.85), 0.5: _row(1.20, 0.95)}) == 0.25
    assert sweep.select({0.0: _row(1.10, 0.80), 0.25: _row(1.12, 0.80)}) == 0.25  # turnover binds: more wins
    assert sweep.select({0.0: _row(1.20, 0.85), 0.25: _row(1.20, 0.85)}) == 0.0  # a tie: the smaller spread
    assert sweep.select({0.0: None, 0.25: {"equal_waste": None}, 0.5: _row(1.0, 1.0)}) == 0.5
    assert sweep.select({0.25: None, 0.5: None}) == 0.25  # no reading at all: the grid's first
    assert sweep.target_score(_row(1.15, 0.90)) == pytest.approx(1.0)


def test_the_spread_and_level_are_chosen_on_validation_only(history: synthetic.History) -> None:
    study = dataclasses.replace(STUDY, spread=None)
    res = sweep.run(history, study)
    sel = res["spread_selection"]
    assert sel["fixed"] is False and [c["spread"] for c in sel["candidates"]] == list(sweep.SPREADS)
    best = max(c["score"] for c in sel["candidates"] if c["score"] is not None)
    assert res["spread"] == next(c["spread"] for c in sel["candidates"] if c["score"] == best)
    # the test window's demand changes (every measured test day): the test figures move, the choices do not
    end = study.validation[1]
    rng = np.random.default_rng(11)
    demand = history.demand.copy()
    demand[:, end:] *= rng.uniform(0.3, 2.5, size=demand[:, end:].shape)
    other = sweep.run(dataclasses.replace(history, demand=demand), study)
    assert other["test"]["baseline"][0]["metrics"] != res["test"]["baseline"][0]["metrics"]
    assert other["validation_level_on_test"]["turnover_ratio"] != res["validation_level_on_test"]["turnover_ratio"]
    assert other["spread_selection"] == sel
    assert (other["spread"], other["level"], other["best_cover"]) == (res["spread"], res["level"], res["best_cover"])
    assert other["validation_level_on_test"]["level"] == res["validation_level_on_test"]["level"]
    assert other["validation"] == res["validation"]
    # the chosen spread, fixed, gives the same validation curve and level (the selection keeps the right one)
    fixed = sweep.run(history, dataclasses.replace(study, spread=res["spread"]))
    assert fixed["validation"]["boh"] == res["validation"]["boh"] and fixed["level"] == res["level"]
    assert fixed["spread_selection"]["fixed"] is True and len(fixed["spread_selection"]["candidates"]) == 1


def test_lead_in_starts_the_replays_earlier_and_measures_the_same_days(history: synthetic.History) -> None:
    study = dataclasses.replace(STUDY, spread=0.0)
    plain = sweep.run(history, study)
    early = sweep.run(history, dataclasses.replace(study, lead_in=28))
    for window in ("validation", "test"):
        base_p, base_e = plain[window]["baseline"], early[window]["baseline"]
        assert [p["metrics"]["days"] for p in base_p] == [p["metrics"]["days"] for p in base_e]
        # the baseline's memory of sales is now its own replay's, not the chain's recorded (censored) sales
        assert any(a["metrics"]["stockout_rate"] != b["metrics"]["stockout_rate"]
                   for a, b in zip(base_p, base_e, strict=True))  # fmt: skip
        assert [p["metrics"]["days"] for p in plain[window]["boh"]] == [
            p["metrics"]["days"] for p in early[window]["boh"]
        ]
    assert early["study"]["lead_in"] == 28


def _curve(points: list[tuple[float, float]]) -> list[dict[str, object]]:
    return [{"param": lv, "metrics": {"turnover": t}} for lv, t in points]


def test_turnover_level_is_the_highest_level_below_the_cap_that_reaches_the_target_turnover() -> None:
    base = {"turnover": 100.0}
    boh = _curve([(0.8, 140.0), (0.9, 120.0), (0.95, 110.0)])  # x1.15 last reached at 0.9 + 0.05 * 5 / 10 = 0.925
    assert sweep.turnover_level(base, boh, 0.95) == pytest.approx(0.925, abs=1e-4)
    assert sweep.turnover_level(base, boh, 0.85) == pytest.approx(0.85)  # already x1.15 at the cap: the cap
    assert sweep.turnover_level(base, _curve([(0.8, 110.0), (0.9, 100.0)]), 0.9) == 0.9  # never reached: the cap
    assert sweep.turnover_level({"turnover": 0.0}, boh, 0.9) == 0.9


def test_ex_ante_level_by_rule() -> None:
    boh = _curve([(0.8, 140.0), (0.9, 120.0), (0.95, 110.0)])
    row = {"baseline": {"turnover": 100.0}, "equal_waste": {"level": 0.95}}
    assert sweep.ex_ante_level(row, boh) == 0.95
    assert sweep.ex_ante_level(row, boh, "equal_waste") == 0.95
    assert sweep.ex_ante_level(row, boh, "midpoint") == pytest.approx((0.95 + 0.925) / 2, abs=1e-4)
    assert sweep.ex_ante_level({"baseline": {}, "equal_waste": None}, boh, "midpoint") is None
    assert sweep.ex_ante_level(None, boh) is None
    with pytest.raises(ValueError):
        sweep.ex_ante_level(row, boh, "best")


def test_the_midpoint_rule_reads_validation_only_and_reaches_the_replay(history: synthetic.History) -> None:
    study = dataclasses.replace(STUDY, spread=0.0, level_rule="midpoint")
    res = sweep.run(history, study)
    cover = res["best_cover"]
    row = next(r for r in res["validation"]["versus"] if r["cover"] == cover)
    expect = sweep.ex_ante_level(row, res["validation"]["boh"], "midpoint")
    assert res["level"] == expect and res["level_rule"] == "midpoint"
    assert res["validation_level_on_test"] == res["ex_ante_by_rule"]["midpoint"]
    assert res["validation_level_on_test"]["level"] == round(expect, 4)
    assert res["ex_ante_by_rule"]["equal_waste"]["level"] == round(row["equal_waste"]["level"], 4)
    # the test window's demand changes: the level stays, its replayed figures move
    end = study.validation[1]
    demand = history.demand.copy()
    demand[:, end:] *= np.random.default_rng(5).uniform(0.3, 2.5, size=demand[:, end:].shape)
    other = sweep.run(dataclasses.replace(history, demand=demand), study)
    assert other["level"] == res["level"]
    assert other["validation_level_on_test"]["turnover_ratio"] != res["validation_level_on_test"]["turnover_ratio"]

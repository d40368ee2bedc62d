"""The replay on a small sample of the real FreshRetailNet-50K data (../shared/data; skipped without it, run in
CI where it exists): the latent demand is at least what was sold, the chain's recorded stockout hours are
about a fifth of operating hours, and BOH and the baseline both run on the same demand with sane figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from boh.replenishment.simulation import data, sweep

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "freshretailnet50k"
pytestmark = pytest.mark.skipif(not (DATA / "hourly.parquet").is_file(),
                                reason=f"FreshRetailNet-50K not found at {DATA} (shared data)")  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> data.History:
    return data.load(DATA, sample=300, seed=11)


def test_sample_loads_with_latent_demand(sample: data.History) -> None:
    assert sample.n == 300 and sample.demand.shape == (300, 90) and sample.profile.shape == (300, 24)
    assert len(np.unique(sample.store)) >= 2  # whole stores are drawn
    assert (sample.demand >= sample.sales - 1e-9).all()  # latent demand never below sales
    assert 0.12 < sample.out_hours.mean() / 16 < 0.3  # the chain's ~20% of operating hours out of stock
    assert np.allclose(sample.profile.sum(axis=1), 1.0)


def test_both_policies_replay_the_same_demand(sample: data.History) -> None:
    study = sweep.Study(covers=(2.0, 3.0, 4.0), levels=(0.7, 0.9), samples=2)
    res = sweep.run(sample, study)
    pts = res["test"]["baseline"] + res["test"]["boh"]
    demands = {round(p["metrics"]["demand"], 6) for p in pts}
    assert len(demands) == 1  # one latent demand for every run
    for p in pts:
        m = p["metrics"]
        assert 0 < m["fill_rate"] <= 1 and 0 <= m["waste_rate"] < 1 and m["turnover"] > 0
    base = {p["param"]: p["metrics"] for p in res["test"]["baseline"]}
    boh = {p["param"]: p["metrics"] for p in res["test"]["boh"]}
    assert base[2.0]["stockout_rate"] > base[4.0]["stockout_rate"]  # more cover, fewer stockouts
    assert boh[0.7]["stockout_rate"] > boh[0.9]["stockout_rate"]  # higher service level, fewer stockouts
    assert 0.2 < res["forecast_wape_2d"] < 0.5

"""The model code on a handful of short synthetic series (one shared fit): per-class candidates, model choice,
monotone quantiles, cold start from the category profile, and a real Dask cluster giving the same numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from boh.forecasting import engine
from tests.forecasting.conftest import CFG, synthetic


def test_every_series_gets_the_horizon_with_ordered_quantiles(fitted: Any) -> None:
    res, (_hist, future, _static) = fitted
    fc = res.forecasts
    assert sorted(fc["unique_id"].unique()) == ["new", "s0", "s1", "s2", "s3", "slow"]
    assert (fc.groupby("unique_id").size() == CFG.horizon).all()
    q = fc[["q50", "q80", "q90", "q95", "q99"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()
    assert (fc["q99"] > fc["q50"]).any()  # a real spread, not one number five times
    assert set(fc["ds"]) == set(future["ds"])


def test_classes_pick_their_candidates(fitted: Any) -> None:
    res, _frames = fitted
    choice = res.choice.set_index("unique_id")
    assert choice.loc["slow", "cls"] == "intermittent" and choice.loc["s3", "cls"] == "smooth"
    # intermittent-demand models are fitted on the slow mover only, never on the smooth series
    assert not np.isnan(choice.loc["slow", "mae_croston"]) and not np.isnan(choice.loc["slow", "mae_tsb"])
    assert np.isnan(choice.loc["s0", "mae_croston"])
    # the chosen model has the least backtest error, or is LightGBM when none beats it by the margin
    for uid, row in choice.iterrows():
        maes = {k[4:]: v for k, v in row.items() if str(k).startswith("mae_") and not np.isnan(v)}
        best = min(maes.values())
        if best < CFG.margin * maes["lgbm"]:
            assert maes[row["model"]] == best, uid
        else:
            assert row["model"] == "lgbm", uid


def test_a_new_item_starts_from_its_category_profile_at_its_own_level(fitted: Any) -> None:
    res, (hist, _future, _static) = fitted
    new = res.forecasts[res.forecasts["unique_id"] == "new"]
    assert set(new["model"]) == {"profile"}
    own = hist[hist["unique_id"] == "new"]["y"].mean()
    assert abs(new["mean"].mean() - own) < 0.35 * own  # its level, the category's weekday shape
    by_day = new.set_index(new["ds"].dt.dayofweek)["mean"]
    assert by_day.loc[5] > by_day.loc[1]  # Saturday above Tuesday, as in s0/s1 of its category


def test_the_same_forecasts_on_a_local_dask_cluster(fitted: Any, tmp_path: Path) -> None:
    """A scheduler and two workers, each its own process (``dask scheduler`` / ``dask worker``)."""
    pytest.importorskip("distributed")
    from distributed import Client

    res, frames = fitted
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker"]
    procs = [subprocess.Popen([*dask, "--scheduler-file", str(sched_file), "--port", "0", "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        from distributed.utils import wait_for  # noqa: F401  (the package is complete)

        client = None
        import time

        deadline = time.monotonic() + 60
        while not sched_file.exists():  # the scheduler writes its address when it is up
            assert procs[0].poll() is None and time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.05)
        for _ in range(2):
            procs.append(subprocess.Popen([*worker, "--scheduler-file", str(sched_file), "--nthreads", "1",
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))  # fmt: skip
        client = Client(scheduler_file=str(sched_file), timeout=60)
        client.wait_for_workers(2, timeout=120)
        address = client.scheduler.address
        assert len(client.scheduler_info()["workers"]) == 2
        client.close()
        on_dask = engine.run(*frames, CFG, dask_address=address)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    cols = ["unique_id", "ds", "model", "mean", "q50", "q80", "q90", "q95", "q99"]
    pd.testing.assert_frame_equal(on_dask.forecasts[cols].reset_index(drop=True),
                                  res.forecasts[cols].reset_index(drop=True))  # fmt: skip


def test_series_too_short_to_model_start_from_profiles_not_an_error() -> None:
    # found by scripts/fuzz_api.sh: a chunk whose series were all shorter than min_history was a KeyError
    hist, future, static = synthetic(days=CFG.min_history - 1)
    res = engine.fit_predict(hist, future, static, CFG)
    assert set(res.forecasts["unique_id"]) == set(future["unique_id"])
    assert (res.forecasts["model"] == "profile").all()

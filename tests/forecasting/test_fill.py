"""How censored days are filled in the training target (``domain.impute``'s ``fill``): values worked out by
hand on a small frame, that a fill never reads a day outside the window it is given (nor, for ``recent`` and
``local``, outside its ``weeks``), and a run's frames filled from its own history only (both databases)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from boh.bootstrap import Runtime
from boh.forecasting import domain, service
from boh.inventory.api import daily_sales
from boh.kernel.clock import utcnow
from tests.forecasting.test_service import _sell, _world

MONDAY = pd.Timestamp("2024-01-01")  # a Monday


def _frame() -> pd.DataFrame:
    """Series a: day i sells i (days 0..34, five weeks), censored on days 14, 21 (Mondays) and 34 (a Sunday);
    series b: ten times a, in a shuffled row order."""
    y = np.arange(35, dtype=float)
    y[[14, 21, 34]] = np.nan
    a = pd.DataFrame({"unique_id": "a", "ds": pd.date_range(MONDAY, periods=35), "y": y})
    both = pd.concat([a, a.assign(unique_id="b", y=a["y"] * 10)], ignore_index=True)
    return both.sample(frac=1.0, random_state=4)


def _filled(frame: pd.DataFrame, **kw: object) -> pd.Series:
    return frame.assign(f=domain.impute(frame, **kw)).set_index(["unique_id", "ds"])["f"]  # type: ignore[arg-type]


def _day(i: int) -> pd.Timestamp:
    return MONDAY + pd.Timedelta(days=i)


@pytest.mark.parametrize(
    ("fill", "causal", "weeks", "expected"),
    [
        # Mondays in stock: days 0, 7, 28; Sundays: 6, 13, 20, 27
        ("series", False, 4, {14: 7.0, 21: 7.0, 34: 16.5}),  # median of 0, 7, 28; of 6..27
        ("recent", False, 4, {14: 3.5, 21: 3.5, 34: 16.5}),  # Mondays before: 0, 7; Sundays 6..27
        ("recent", False, 1, {14: 7.0, 21: 17.5, 34: 27.0}),  # day 14 - 7; 21 - 7 censored: median of days 14..20
        ("recent", True, 4, {14: 3.5, 21: 3.5, 34: 16.5}),  # already causal
        ("local", False, 4, {14: 17.5, 21: 17.5, 34: 27.0}),  # nearest Mondays 7 and 28; Sunday 27, none after
        ("local", False, 1, {14: 7.0, 21: 28.0, 34: 27.0}),  # day 14: 7 (21 censored); day 21: 28 (14 censored)
        ("local", True, 4, {14: 7.0, 21: 7.0, 34: 27.0}),  # the side before only
        ("series", True, 4, {14: 3.5, 21: 3.5, 34: 16.5}),  # expanding: Mondays 0, 7; Sundays 6..27
    ],
)
def test_each_fill_by_hand(fill: str, causal: bool, weeks: int, expected: dict[int, float]) -> None:
    frame = _frame()
    got = _filled(frame, fill=fill, causal=causal, weeks=weeks)
    for i, value in expected.items():
        assert got[("a", _day(i))] == value, (fill, i)
        assert got[("b", _day(i))] == value * 10, (fill, i)
    observed = frame.set_index(["unique_id", "ds"])["y"].dropna()
    assert (got[observed.index] == observed).all()  # observed days are kept


def test_a_series_with_no_observed_day_is_filled_with_zero_and_an_unknown_fill_is_refused() -> None:
    frame = pd.DataFrame({"unique_id": "z", "ds": pd.date_range(MONDAY, periods=10), "y": np.nan})
    for fill in domain.FILLS:
        assert (domain.impute(frame, fill=fill) == 0.0).all()
    with pytest.raises(ValueError, match="unknown fill"):
        domain.impute(frame, fill="mean")


@pytest.mark.parametrize("fill", ["recent", "local"])
@pytest.mark.parametrize("weeks", [1, 2])
def test_a_window_fill_never_reads_a_day_outside_its_weeks(fill: str, weeks: int) -> None:
    """Every day more than ``weeks`` weeks from day 21 (before it; for ``local`` after it too) changes: its fill
    does not. The ``series`` fill reads the whole frame: the same change moves it."""
    frame = _frame()
    far = (frame["ds"] - _day(21)).abs() > pd.Timedelta(days=7 * weeks)
    if fill == "recent":
        far |= frame["ds"] > _day(21)
    changed = frame.assign(y=frame["y"].where(~far, frame["y"] + 1000))
    assert (
        _filled(changed, fill=fill, weeks=weeks)[("a", _day(21))]
        == _filled(frame, fill=fill, weeks=weeks)[("a", _day(21))]
    )
    assert _filled(changed, fill="series")[("a", _day(21))] != _filled(frame, fill="series")[("a", _day(21))]


@pytest.mark.parametrize("fill", domain.FILLS)
def test_a_fill_only_uses_the_frame_it_is_given(fill: str) -> None:
    """A run at a cutoff fills from the days up to it: what comes after the cutoff never moves a fill, and a
    causal fill of the whole frame equals, on each day, no value read from a later day."""
    frame = _frame()
    cut = frame[frame["ds"] <= _day(24)]
    before = _filled(cut, fill=fill)
    later = frame.assign(y=frame["y"].where(frame["ds"] <= _day(24), 1e6))
    again = _filled(later[later["ds"] <= _day(24)], fill=fill)
    pd.testing.assert_series_equal(before.sort_index(), again.sort_index())
    causal = _filled(frame, fill=fill, causal=True)
    causal_later = _filled(later, fill=fill, causal=True)
    for i in (14, 21):
        assert causal[("a", _day(i))] == causal_later[("a", _day(i))]


@pytest.mark.parametrize(("fill", "history_days"), [("series", 15), ("recent", 22), ("local", 22), ("series", 22)])
def test_a_runs_target_is_filled_from_its_own_history_window(runtime: Runtime, fill: str, history_days: int) -> None:
    """The ledger's censored Sunday (S002 x BREAD) enters a run's target filled from the Sundays inside the
    run's history window only (never below its 3 sales), for every fill."""
    t, sites, items = _world(runtime)
    first = _sell(runtime, t, sites, items)
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        scope = uow.principal.scope("inventory.stock.read")
        rows = daily_sales(uow.session, scope, first.date(), utcnow().date(), site_ids=[sites[1]], item_ids=[items[1]])
        out = next(r for r in rows if r.stockout).day
        origin = out + timedelta(days=1)
        opts = service.RunOptions(horizon=7, history_days=history_days, origin=origin, fill=fill)
        fr = service.prepare(uow.session, uow.principal.scope("forecasting.run"), opts, origin)
    start = origin - timedelta(days=history_days - 1)
    sundays = [
        float(r.quantity) for r in sorted(rows, key=lambda r: r.day) if r.day.weekday() == 6 and start <= r.day < out
    ]
    assert len(sundays) == (history_days - 2) // 7  # the window holds one or two Sundays before the stockout
    # local: the nearest Sunday in stock before (the one after is past the origin); else their median
    expected = max(sundays[-1] if fill == "local" else float(np.median(sundays)), 3.0)
    hist = fr.hist.set_index(["unique_id", "ds"])
    got = hist.loc[(f"{sites[1]}|{items[1]}", pd.Timestamp(out)), "y"]
    assert got == pytest.approx(expected)
    assert fr.hist["ds"].min() == pd.Timestamp(start) and fr.hist["ds"].max() == pd.Timestamp(origin)


@pytest.mark.parametrize("fill", ["recent", "local"])
def test_a_window_fill_is_the_same_in_blocks_of_series(fill: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window fills work through blocks of series (memory): one series a block gives the same values."""
    frame = pd.concat([_frame(), _frame().assign(unique_id=lambda f: f["unique_id"] + "2", y=lambda f: f["y"] + 1)])
    whole = domain.impute(frame, fill=fill)
    monkeypatch.setattr(domain, "_CHUNK", 1)
    pd.testing.assert_series_equal(domain.impute(frame, fill=fill), whole)
    assert whole.notna().all() and (whole.groupby(frame["unique_id"].to_numpy()).nunique() > 1).all()

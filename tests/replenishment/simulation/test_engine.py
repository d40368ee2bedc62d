"""The replay on series small enough to follow by hand: stock by lot, first-expiring-first-out sales, lost
sales, waste at the end of shelf life, lead time, order days, stockout hours, the metrics; and the policy
never sees the future (changing demand after day t changes no order up to day t)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from boh.replenishment.simulation import engine, forecast, policies, synthetic
from boh.replenishment.simulation.engine import Params, State

FLAT = np.zeros((1, 24))
FLAT[0, 6:22] = 1 / 16  # demand spread evenly over the 16 operating hours


@dataclass
class Fixed:
    qty: float
    name: str = "fixed"

    def order(self, state: State) -> np.ndarray:
        return np.full(state.lots.shape[0], self.qty)


def _run(demand: list[float], qty: float, shelf: int = 2, lead: int = 1, initial: float = 2.0,
         order_days: str = "1111111") -> engine.Trace:  # fmt: skip
    d = np.array([demand], dtype=float)
    prm = Params.uniform(1, lead=lead, shelf=shelf, case=1.0, order_days=order_days)
    return engine.simulate(d, np.zeros_like(d), FLAT, prm, Fixed(qty), 0, len(demand), 0, 0, np.array([initial]))


def test_a_series_followed_by_hand() -> None:
    # 2 fresh units on day 0 (2 days of life), 2 ordered every day, on the shelf the next morning
    tr = _run([1, 4, 0, 2, 1], qty=2)
    assert tr.opening[0].tolist() == [2, 3, 2, 4, 4]
    assert tr.sales[0].tolist() == [1, 3, 0, 2, 1]
    assert tr.lost[0].tolist() == [0, 1, 0, 0, 0]  # day 1: 3 on the shelf, 4 wanted
    assert tr.waste[0].tolist() == [0, 0, 0, 0, 1]  # day 4: the lot of day 3 reaches its second evening unsold
    assert tr.closing[0].tolist() == [1, 0, 2, 2, 2]
    assert tr.received[0].tolist() == [0, 2, 2, 2, 2]
    # the shelf empties when 3 of the day's 4 units are sold: 3/4 through the 16 operating hours
    assert tr.out_hours[0].tolist() == [0, 4, 0, 0, 0]
    m = engine.metrics(tr)
    assert m["sales"] == 7 and m["demand"] == 8 and m["lost"] == 1 and m["waste"] == 1
    assert m["fill_rate"] == pytest.approx(7 / 8)
    assert m["stockout_rate"] == pytest.approx(1 / 5)
    assert m["stockout_hours_rate"] == pytest.approx(4 / 80)
    assert m["waste_rate"] == pytest.approx(1 / 8)
    assert m["avg_stock"] == pytest.approx(2.2)  # mean of (opening + closing) / 2
    assert m["turnover"] == pytest.approx(7 / 5 * 365 / 2.2)
    assert m["days_of_cover"] == pytest.approx(2.2 / (7 / 5))
    assert m["order_lines"] == 5 and m["bullwhip_store"] == 0.0  # constant orders: no variance


def test_oldest_lot_sells_first_and_one_day_shelf_life_wastes_the_rest() -> None:
    tr = _run([1, 1, 1], qty=3, shelf=1, initial=0)
    assert tr.sales[0].tolist() == [0, 1, 1] and tr.lost[0].tolist() == [1, 0, 0]
    assert tr.waste[0].tolist() == [0, 2, 2]  # what does not sell on its day goes
    tr = _run([0, 3, 0, 0], qty=2, shelf=3, initial=2)  # lots of 2: day 0's and day 1's
    # day 1: 2 (day-0 lot) + 2 (arrived) on the shelf, 3 sold: the old lot first, one of the new one
    # day 3: the one unit left of day 1's lot reaches its third evening: waste
    assert tr.closing[0].tolist() == [2, 1, 3, 4] and tr.waste[0].tolist() == [0, 0, 0, 1]


def test_lead_time_and_order_days() -> None:
    tr = _run([0, 0, 0, 0, 0], qty=1, lead=3, initial=0, shelf=9)
    assert tr.received[0].tolist() == [0, 0, 0, 1, 1]  # ordered on day 0, on the shelf on day 3
    tr = _run([0] * 7, qty=1, lead=1, initial=0, shelf=9, order_days="1010100")  # Mon, Wed, Fri (day 0 = Monday)
    assert tr.orders[0].tolist() == [1, 0, 1, 0, 1, 0, 0]
    prm = Params.uniform(1, order_days="1010100")
    assert [int(prm.review(wd)[0]) for wd in (0, 2, 4)] == [2, 2, 3]


def test_dc_echelon_bullwhip_groups_the_stores_orders() -> None:
    d = np.array([[1.0, 3.0, 1.0, 3.0], [3.0, 1.0, 3.0, 1.0]])
    prm = Params.uniform(2, shelf=9, case=1.0)
    tr = engine.simulate(d, np.zeros_like(d), np.tile(FLAT, (2, 1)), prm, Fixed(2), 0, 4, 0, 0, np.array([9.0, 9.0]))
    m = engine.metrics(tr, {"dc": np.array([0, 0])})
    assert m["bullwhip_store"] == 0.0 and np.isnan(m["bullwhip_dc"])  # the city's demand is flat: 4 a day


@pytest.mark.parametrize(("spread", "smoothing"), [(0.0, 1.0), (0.5, 0.8)])
def test_the_policy_never_sees_the_future(spread: float, smoothing: float) -> None:
    h = synthetic.history(stores=2, products=4, days=70)
    t = 50
    prm = Params.uniform(h.n, lead=1, shelf=3, case=0.1)

    def orders(hist: synthetic.History) -> dict[str, np.ndarray]:
        F = forecast.forecasts(hist, 27, 10)
        Q = forecast.quantile_sums(F, hist.known, 2, [0.9], 27, spread=spread)
        out = {}
        for pol in (policies.Boh(0.9, F, {2: Q[0.9]}, smoothing=smoothing), policies.Baseline(3.0)):
            tr = engine.simulate(hist.demand, hist.sales, hist.profile, prm, pol, 35, 70, hist.weekday0, 0,
                                 hist.demand[:, 28:35].mean(axis=1))  # fmt: skip
            out[pol.name] = tr.orders
        return out

    before = orders(h)
    changed = h.take(np.arange(h.n))
    changed.demand = h.demand.copy()
    changed.demand[:, t:] *= 3.0  # demand from day t on triples (and so what is known of it)
    changed.known = h.known.copy()
    changed.known[:, t:] *= 3.0
    after = orders(changed)
    upto = t - 35 + 1  # orders of days 35 .. t (day t's order is placed before day t's demand is known)
    for name in ("boh", "baseline"):
        assert np.array_equal(before[name][:, :upto], after[name][:, :upto]), name
        assert not np.array_equal(before[name][:, upto:], after[name][:, upto:]), name  # later ones react

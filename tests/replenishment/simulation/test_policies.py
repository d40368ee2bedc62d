"""The two ordering rules on numbers worked out by hand: the experience rule's four-week average x cover,
rounded up to the case; BOH's order-up-to from the quantile of the protection period, minus what is held and
on order and what will expire unsold, capped by what can sell within the shelf life, to the nearest case."""

from __future__ import annotations

import numpy as np

from boh.replenishment.simulation import policies
from boh.replenishment.simulation.engine import Params, State


def _state(lots: list[float], pipe: list[float], sales: list[float], case: float, shelf: int = 3,
           lead: int = 1, t: int = 5) -> State:  # fmt: skip
    prm = Params.uniform(1, lead=lead, shelf=shelf, case=case)
    return State(t, 0, np.array([lots]), np.array([pipe]), np.array([sales]), prm)


def test_rounding() -> None:
    case = np.array([0.5, 0.5, 3.0, 3.0])
    assert policies.round_up(np.array([0.1, 1.0, 4.0, 6.0]), case).tolist() == [0.5, 1.0, 6.0, 6.0]
    assert policies.round_nearest(np.array([0.2, 0.3, 4.0, 4.6]), case).tolist() == [0.0, 0.5, 3.0, 6.0]


def test_baseline_orders_up_to_four_weeks_of_sales_times_cover() -> None:
    sales = [9.0] * 10 + [2.0] * 28  # only the last 28 days count: mean 2
    st = _state([0.0, 0.0, 1.0], [1.0], sales, case=0.5)
    assert policies.Baseline(3.0).order(st).tolist() == [4.0]  # 2 x 3 - (1 on hand + 1 on order)
    st = _state([0.0, 0.0, 1.0], [1.0], sales, case=3.0)
    assert policies.Baseline(3.0).order(st).tolist() == [6.0]  # 4, rounded up to two cases of 3
    st = _state([0.0, 0.0, 7.0], [0.0], sales, case=0.5)
    assert policies.Baseline(3.0).order(st).tolist() == [0.0]  # more than enough: nothing


def _boh(target: float, mean: list[float]) -> policies.Boh:
    m = np.array([[mean]] * 6)  # origins 0..5, one series
    return policies.Boh(0.9, m, {2: np.full((6, 1), target)})


def test_boh_orders_up_to_the_quantile_minus_the_position() -> None:
    st = _state([0.0, 0.0, 0.0, 0.0, 1.0], [0.0], [1.0] * 5, case=0.5, shelf=5)  # 1 fresh unit, 5 days of life
    assert _boh(4.0, [1.0] * 8).order(st).tolist() == [3.0]  # 4 - 1
    assert _boh(4.2, [1.0] * 8).order(st).tolist() == [3.0]  # 3.2 to the nearest case of 0.5
    assert _boh(4.3, [1.0] * 8).order(st).tolist() == [3.5]


def test_boh_counts_units_that_will_expire_unsold_and_caps_by_shelf_life() -> None:
    # 5 units expiring tonight, 1 a day expected: 4 of them will be thrown away, so they do not count
    st = _state([5.0, 0.0, 0.0], [0.0], [1.0] * 5, case=0.5)
    assert policies.expected_expiry(st.lots, st.pipe, st.params.shelf, np.ones((1, 8)), 2).tolist() == [4.0]
    assert _boh(4.0, [1.0] * 8).order(st).tolist() == [3.0]  # 4 - (5 - 4)
    # a target of 10 cannot sell before the new lot expires: capped at lead + shelf life = 4 days x 1 a day
    st = _state([0.0, 0.0, 0.0], [0.0], [1.0] * 5, case=0.5)
    assert _boh(10.0, [1.0] * 8).order(st).tolist() == [4.0]


def test_smoothing_orders_the_next_days_mean_plus_a_share_of_the_rest_of_the_gap() -> None:
    st = _state([0.0, 0.0, 0.0, 0.0, 1.0], [0.0], [1.0] * 5, case=0.5, shelf=5)
    mean = [1.0, 2.0] + [1.0] * 6  # 2 expected on the day the next order covers (lead 1 day)
    m = np.array([[mean]] * 6)
    full = policies.Boh(0.9, m, {2: np.full((6, 1), 5.0)})
    assert full.order(st).tolist() == [4.0]  # order-up-to: 5 - 1
    half = policies.Boh(0.9, m, {2: np.full((6, 1), 5.0)}, smoothing=0.5)
    assert half.order(st).tolist() == [3.0]  # 2 + 0.5 x (4 - 2)
    low = policies.Boh(0.9, m, {2: np.full((6, 1), 2.0)}, smoothing=0.5)
    assert low.order(st).tolist() == [1.5]  # gap 1 below the next day's 2: 2 + 0.5 x (1 - 2)

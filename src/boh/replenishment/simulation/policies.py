"""The two ordering policies the replay compares, vectorised over every series (pure numpy).

* ``Baseline``: the "experience" rule chains use today: order up to the average of the last four weeks'
  *sales* (what the store sees: stockout days understate demand) x ``cover`` days, minus stock on hand and
  on order, rounded *up* to the case.
* ``Boh``: periodic-review order-up-to. The target is the ``level`` quantile of demand over the protection
  period (lead time + review period) from the forecaster's quantiles (history up to yesterday only); the
  position is on hand + on order - the units expected to expire unsold before they can sell (the current lots
  and the arrivals aged first-expiring-first-out against the mean forecast); the target is capped so that
  what is held and ordered can sell before the new lot expires (mean forecast over lead + shelf-life days);
  the quantity is rounded to the *nearest* case (no systematic over-ordering). ``smoothing`` < 1 makes it a
  proportional order-up-to policy (Disney and Towill): the order is the mean forecast of the day the next
  order covers plus ``smoothing`` x the rest of the gap to the target, which damps the orders' swings (the
  bullwhip passed up to the DC) for a little more stock swing at the store."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from boh.replenishment.simulation.engine import State


def round_up(q: np.ndarray, case: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.ceil(q / case - 1e-9) * case
    return out


def round_nearest(q: np.ndarray, case: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.floor(q / case + 0.5) * case
    return out


@dataclass
class Baseline:
    cover: float = 2.0  # days of cover
    weeks: int = 4
    name: str = "baseline"

    def order(self, state: State) -> np.ndarray:
        hist = state.sales[:, -7 * self.weeks :]
        avg = hist.mean(axis=1) if hist.shape[1] else np.zeros(state.lots.shape[0])
        need = avg * self.cover - state.on_hand - state.on_order
        return round_up(np.maximum(need, 0.0), state.params.case)


def expected_expiry(lots: np.ndarray, pipe: np.ndarray, shelf: np.ndarray, mean: np.ndarray, days: int) -> np.ndarray:
    """Units expected to expire unsold within the next ``days`` days (today first): the lots on hand and the
    arrivals already ordered, served first-expiring-first-out by the mean forecast ``mean`` (S, >= days)."""
    n_s, a = lots.shape
    rows = np.arange(n_s)
    stock = lots.copy()
    lost = np.zeros(n_s)
    for k in range(days):
        if k > 0 and k - 1 < pipe.shape[1]:
            stock[rows, shelf - 1] += pipe[:, k - 1]
        rem = mean[:, k].copy()
        for j in range(a):
            take = np.minimum(stock[:, j], rem)
            stock[:, j] -= take
            rem -= take
        lost += stock[:, 0]
        stock[:, :-1] = stock[:, 1:]
        stock[:, -1] = 0.0
    return lost


@dataclass
class Boh:
    """``mean[o]``: (S, H) mean forecasts from origin o (days o+1 ..); ``quantiles[p][o]``: (S,) the ``level``
    quantile of demand over days o+1 .. o+p. Both computed from history up to o only."""

    level: float
    mean: np.ndarray  # (T, S, H)
    quantiles: dict[int, np.ndarray]  # protection days -> (T, S)
    name: str = "boh"
    smoothing: float = 1.0  # share of the gap to the target ordered beyond the next day's mean (1: order-up-to)

    def order(self, state: State) -> np.ndarray:
        p = state.params
        o = state.t - 1  # yesterday: the last day with known demand
        f = self.mean[o]
        protect = p.lead + p.review(state.weekday)  # covers today .. the day before the next order arrives
        target = np.zeros(f.shape[0])
        for days in np.unique(protect):
            m = protect == days
            target[m] = self.quantiles[int(days)][o][m]
        horizon = f.shape[1]
        cap_days = np.minimum(p.lead + p.shelf, horizon)
        cum = np.cumsum(f, axis=1)
        cap = cum[np.arange(f.shape[0]), cap_days - 1]
        days = int(min(protect.max(), horizon))
        position = state.on_hand + state.on_order - expected_expiry(state.lots, state.pipe, p.shelf, f, days)
        need = np.minimum(target, cap) - position
        if self.smoothing < 1.0:
            nxt = f[np.arange(f.shape[0]), np.minimum(p.lead, horizon - 1)]  # the day the next order covers
            need = nxt + self.smoothing * (need - nxt)
        return round_nearest(np.maximum(need, 0.0), p.case)

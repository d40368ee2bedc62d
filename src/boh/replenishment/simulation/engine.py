"""The day-by-day replay (pure: arrays in, arrays out; floats inside, never stored as money or stock).

Every series is replayed at once (numpy over the series axis, a loop over days). A day ``t``:

1. the lot ordered ``lead`` days ago arrives (with its full shelf life);
2. the policy decides the order of the day, knowing the stock on hand and on order and the history up to
   ``t - 1`` only (an order placed on a day that is not an order day of the series is dropped);
3. the day's (latent) demand is served first-expiring-first-out from the lots; what stock cannot serve is lost
   (a stockout: no backorders in fresh retail); the hour the shelf empties follows the series' hourly
   demand profile, which gives the stocked-out hours of the operating day (06-21);
4. at the close, lots at the end of their shelf life are thrown away (waste), the others age a day.

Shelf life ``n`` days: a lot arriving on day t sells on days t .. t+n-1. Lead time ``L`` >= 1 days: ordered on
day t, on the shelf at the opening of day t+L."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from boh.replenishment.simulation import latent

EPS = 1e-9


@dataclass(frozen=True)
class Params:
    """Per-series replenishment parameters (arrays of length S)."""

    lead: np.ndarray  # days, >= 1
    shelf: np.ndarray  # days, >= 1
    case: np.ndarray  # case pack, in the demand's units (> 0)
    order_days: np.ndarray  # (S, 7) bool, Monday first

    @classmethod
    def uniform(cls, n: int, lead: int = 1, shelf: int = 3, case: float = 0.1,
                order_days: str = "1111111") -> Params:  # fmt: skip
        days = np.array([c == "1" for c in order_days], dtype=bool)
        return cls(np.full(n, lead, dtype=np.int64), np.full(n, shelf, dtype=np.int64), np.full(n, case, dtype=float),
                   np.tile(days, (n, 1)))  # fmt: skip

    def review(self, weekday: int) -> np.ndarray:
        """Days from an order placed on ``weekday`` to the next order day (the review period R >= 1)."""
        r = np.full(self.lead.shape, 7, dtype=np.int64)
        for k in range(7, 0, -1):
            r = np.where(self.order_days[:, (weekday + k) % 7], k, r)
        return r


@dataclass
class State:
    """What a policy may look at on day ``t``: stock and orders now, history before ``t``."""

    t: int
    weekday: int
    lots: np.ndarray  # (S, A): lots[:, k] = units with k + 1 selling days left (k = 0 expires tonight)
    pipe: np.ndarray  # (S, Lmax): pipe[:, j] arrives at the opening of day t + 1 + j
    sales: np.ndarray  # (S, t): sales observed up to t - 1 (recorded before the replay, simulated after)
    params: Params

    @property
    def on_hand(self) -> np.ndarray:
        out: np.ndarray = self.lots.sum(axis=1)
        return out

    @property
    def on_order(self) -> np.ndarray:
        out: np.ndarray = self.pipe.sum(axis=1)
        return out


class Policy(Protocol):
    name: str

    def order(self, state: State) -> np.ndarray:
        """Units to order today per series (before the order-day mask; >= 0)."""
        ...


@dataclass
class Trace:
    """Per series and simulated day (S, n_days)."""

    opening: np.ndarray
    closing: np.ndarray
    demand: np.ndarray
    sales: np.ndarray
    lost: np.ndarray
    waste: np.ndarray
    orders: np.ndarray
    received: np.ndarray
    out_hours: np.ndarray
    start: int  # index of the first simulated day in the history
    warmup: int = 0  # days at the start left out of the metrics
    extra: dict[str, float] = field(default_factory=dict)


def _hour_shares(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative demand share at the start and the middle of each operating hour, per series."""
    cum = np.concatenate([np.zeros((profile.shape[0], 1)), np.cumsum(profile, axis=1)], axis=1)
    hours = np.arange(24)[latent.OPEN_HOURS]
    start = cum[:, hours]
    mid = start + profile[:, hours] / 2
    return start, mid


def simulate(demand: np.ndarray, sales_before: np.ndarray, profile: np.ndarray, params: Params, policy: Policy,
             start: int, end: int, weekday0: int = 0, warmup: int = 0,
             initial: np.ndarray | None = None) -> Trace:  # fmt: skip
    """Replay days ``start`` .. ``end - 1`` of ``demand`` (S, T) under ``policy``.

    ``sales_before``: (S, T) the recorded sales the policy sees for days before ``start``; ``profile``: (S, 24)
    hourly demand shares; ``initial``: stock on hand at the opening of ``start`` (one fresh lot; default none)."""
    n_s = demand.shape[0]
    n_d = end - start
    a = int(params.shelf.max())
    lmax = int(params.lead.max())
    rows = np.arange(n_s)
    lots = np.zeros((n_s, a))
    if initial is not None:
        lots[rows, params.shelf - 1] = initial
    pipe = np.zeros((n_s, lmax))
    seen = np.array(sales_before[:, :end], dtype=float, copy=True)
    _, mid = _hour_shares(profile)
    rec = {k: np.zeros((n_s, n_d)) for k in ("opening", "closing", "demand", "sales", "lost", "waste", "orders",
                                             "received", "out_hours")}  # fmt: skip
    for i, t in enumerate(range(start, end)):
        wd = (t + weekday0) % 7
        arrived = pipe[:, 0].copy()
        pipe[:, :-1] = pipe[:, 1:]
        pipe[:, -1] = 0.0
        lots[rows, params.shelf - 1] += arrived
        state = State(t, wd, lots.copy(), pipe.copy(), seen[:, :t], params)
        q = np.maximum(np.asarray(policy.order(state), dtype=float), 0.0)
        q = np.where(params.order_days[:, wd], q, 0.0)
        pipe[rows, params.lead - 1] += q
        d = demand[:, t].astype(float)
        avail = lots.sum(axis=1)
        rem = d.copy()
        for k in range(a):
            take = np.minimum(lots[:, k], rem)
            lots[:, k] -= take
            rem -= take
        sold = d - rem
        seen[:, t] = sold
        out_h = ((avail[:, None] - d[:, None] * mid) <= EPS).sum(axis=1)
        wasted = lots[:, 0].copy()
        lots[:, :-1] = lots[:, 1:]
        lots[:, -1] = 0.0
        day: tuple[tuple[str, np.ndarray], ...] = (
            ("opening", avail),
            ("closing", lots.sum(axis=1)),
            ("demand", d),
            ("sales", sold),
            ("lost", rem),
            ("waste", wasted),
            ("orders", q),
            ("received", arrived),
            ("out_hours", out_h),
        )
        for name, v in day:
            rec[name][:, i] = v
    return Trace(**rec, start=start, warmup=warmup)  # type: ignore[arg-type]


# --- metrics ----------------------------------------------------------------------------------------------


def _var_ratio(orders: np.ndarray, demand: np.ndarray) -> float:
    vd = float(demand.var(axis=1).sum())
    return float(orders.var(axis=1).sum()) / vd if vd > 0 else float("nan")


def metrics(tr: Trace, groups: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """The run's figures over the days after the warm-up. ``groups``: echelon name -> a group code per series
    (e.g. ``dc``: city x product): the bullwhip ratio of the orders the group's stores place together."""
    w = tr.warmup
    s = {k: getattr(tr, k)[:, w:] for k in ("opening", "closing", "demand", "sales", "lost", "waste", "orders",
                                            "out_hours")}  # fmt: skip
    n_s, n_d = s["demand"].shape
    item_days = max(n_s * n_d, 1)
    sales, demand, waste = float(s["sales"].sum()), float(s["demand"].sum()), float(s["waste"].sum())
    avg_stock = float(((s["opening"] + s["closing"]) / 2).sum()) / max(n_d, 1)  # units, summed over series
    daily_sales = sales / max(n_d, 1)
    out = {
        "series": float(n_s), "days": float(n_d), "demand": demand, "sales": sales,
        "lost": float(s["lost"].sum()), "waste": waste,
        "fill_rate": sales / demand if demand > 0 else float("nan"),
        "stockout_rate": float((s["lost"] > EPS).sum()) / item_days,
        "lost_rate": float(s["lost"].sum()) / demand if demand > 0 else float("nan"),
        "stockout_hours_rate": float(s["out_hours"].sum()) / (item_days * 16),
        "avg_stock": avg_stock,
        "turnover": (daily_sales * 365.0 / avg_stock) if avg_stock > 0 else float("nan"),
        "days_of_cover": avg_stock / daily_sales if daily_sales > 0 else float("nan"),
        "waste_rate": waste / (sales + waste) if sales + waste > 0 else float("nan"),
        "order_lines": float((s["orders"] > EPS).sum()),
        "bullwhip_store": _var_ratio(s["orders"], s["demand"]),
    }  # fmt: skip
    for name, codes in (groups or {}).items():
        _, g = np.unique(codes, return_inverse=True)
        n_g = int(g.max()) + 1 if len(g) else 0
        agg_o = np.zeros((n_g, n_d))
        agg_d = np.zeros((n_g, n_d))
        np.add.at(agg_o, g, s["orders"])
        np.add.at(agg_d, g, s["demand"])
        out[f"bullwhip_{name}"] = _var_ratio(agg_o, agg_d)
    return out


def by_group(tr: Trace, codes: np.ndarray) -> dict[int, dict[str, float]]:
    """The figures per group of series (e.g. per category)."""
    res = {}
    for c in np.unique(codes):
        m = codes == c
        sub = Trace(**{k: getattr(tr, k)[m] for k in ("opening", "closing", "demand", "sales", "lost", "waste",
                                                       "orders", "received", "out_hours")},
                    start=tr.start, warmup=tr.warmup)  # fmt: skip
        res[int(c)] = metrics(sub)
    return res

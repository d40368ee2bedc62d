"""Latent demand: a stocked-out part of the day is filled from the series' hourly profile, the same rule the
forecasting domain uses (held equal on a generated chain)."""

from __future__ import annotations

import numpy as np

from boh.forecasting import domain
from boh.replenishment.simulation import latent, synthetic


def test_a_half_day_out_of_stock_doubles_its_in_stock_sales() -> None:
    sales = np.zeros((1, 8, 24))
    sales[:, :, 6:22] = 0.5  # 8 units a day, evenly over the operating hours
    out = np.zeros_like(sales, dtype=bool)
    out[0, 7, 14:22] = True  # the last day: out of stock from 14:00, nothing sold then
    sales[0, 7, 14:22] = 0.0
    demand, share, _prof = latent.recover(sales, out)
    assert np.allclose(demand[0, :7], 8.0)
    assert share[0, 7] < 0.55 and demand[0, 7] > 7.0  # 4 sold in about half the profile
    assert np.isclose(demand[0, 7], 4.0 / share[0, 7])


def test_a_day_out_all_day_is_imputed_from_the_same_weekday() -> None:
    sales = np.zeros((1, 14, 24))
    sales[0, :, 10] = np.arange(14) % 7 + 1.0  # weekday d sells d + 1
    out = np.zeros_like(sales, dtype=bool)
    out[0, 9, :] = True
    sales[0, 9, :] = 0.0
    demand, _share, _prof = latent.recover(sales, out, weekday0=0)
    assert demand[0, 9] == 3.0  # day 9 is a Wednesday: the other Wednesday sold 3


def test_same_as_the_forecasting_domains_recovery() -> None:
    df = synthetic.frame(stores=2, products=3, days=21)
    n_t = 21
    sales = df[[f"sale_h{h:02d}" for h in range(24)]].to_numpy(dtype=float)
    mask = df["stockout_mask"].to_numpy(dtype=np.int64)
    out = ((mask[:, None] >> np.arange(24)) & 1).astype(bool)
    ids = (df["store_id"] * 100 + df["product_id"]).to_numpy()
    theirs, their_share = domain.recover_hourly(ids, sales, out)
    ours, our_share, _ = latent.recover(sales.reshape(-1, n_t, 24), out.reshape(-1, n_t, 24))
    assert np.allclose(our_share.ravel(), their_share)
    ok = ~np.isnan(theirs)  # theirs leaves too-censored days NaN; ours imputes them
    assert ok.sum() > 100 and np.allclose(ours.ravel()[ok], theirs[ok])


def test_what_the_forecaster_knows_of_an_imputed_day_comes_from_the_days_before_it() -> None:
    """The truth fills a day out of stock all day from the whole history; what forecasts learn from
    (``latent.known``) fills it from the days before it only, so later demand never reaches them."""
    sales = np.zeros((1, 28, 24))
    sales[0, :, 10] = np.arange(28) % 7 + 1.0  # weekday d sells d + 1 ...
    sales[0, 14:, 10] *= 10.0  # ... until the last two weeks sell ten times more
    out = np.zeros_like(sales, dtype=bool)
    out[0, 9, :] = True  # a Wednesday out all day, nothing sold
    sales[0, 9, :] = 0.0
    demand, share, _prof = latent.recover(sales, out, weekday0=0)
    known = latent.known(demand, share, sales.sum(axis=2), weekday0=0)
    assert known[0, 9] == 3.0  # the one Wednesday before it
    assert demand[0, 9] > 3.0  # the truth's median of the Wednesdays takes in the later 30s
    assert np.array_equal(np.delete(known, 9, axis=1), np.delete(demand, 9, axis=1))  # recovered days agree

    later = sales.copy()
    later[0, 10:, 10] *= 7.0  # everything after the day changes
    d2, s2, _ = latent.recover(later, out, weekday0=0)
    assert latent.known(d2, s2, later.sum(axis=2), weekday0=0)[0, 9] == known[0, 9]

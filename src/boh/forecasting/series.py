"""The frames a forecast run feeds the engine, from the database: daily demand per site x item (the ledger's
sale moves through ``boh.inventory.api.daily_sales``, with stockout days censored, plus imported history),
the promotions, events and weather entered in BOH, holidays per site's country, and the category / format
of each series (the profiles new series start from). Decimal in the tables, floats in the frames."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.forecasting import calendar, domain, models
from boh.inventory.api import daily_sales
from boh.kernel.tenancy import Scope
from boh.org.api import site_view


@dataclass
class Frames:
    hist: pd.DataFrame
    future: pd.DataFrame
    static: pd.DataFrame
    origin: date
    features: list[str]


def key(site_id: int, item_id: int) -> str:
    return f"{site_id}|{item_id}"


def _history(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    site_ids: Iterable[int] | None,
    item_ids: Iterable[int] | None,
) -> pd.DataFrame:
    H = models.History
    stmt = select(H.site_id, H.item_id, H.day, H.quantity, H.demand, H.in_stock, H.discount, H.promo).where(
        H.tenant_id == scope.tenant_id, H.day >= start, H.day <= end
    )
    if site_ids is not None:
        stmt = stmt.where(H.site_id.in_(sorted(set(site_ids))))
    if item_ids is not None:
        stmt = stmt.where(H.item_id.in_(sorted(set(item_ids))))
    if scope.site_ids is not None:
        stmt = stmt.where(H.site_id.in_(sorted(scope.site_ids)))
    rows = session.execute(stmt).all()
    cols = ["site_id", "item_id", "day", "y_obs", "demand", "in_stock", "discount", "promo"]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _ledger(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    site_ids: Iterable[int] | None,
    item_ids: Iterable[int] | None,
) -> pd.DataFrame:
    rows = daily_sales(session, scope, start, end, site_ids=site_ids, item_ids=item_ids)
    data = [(r.site_id, r.item_id, r.day, r.quantity, None if r.stockout else r.quantity, not r.stockout)
            for r in rows]  # fmt: skip
    return pd.DataFrame(data, columns=["site_id", "item_id", "day", "y_obs", "demand", "in_stock"])


def demand(
    session: Session, scope: Scope, start: date, end: date, site_ids: Iterable[int] | None = None,
    item_ids: Iterable[int] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Daily demand per (site, item) between start and end, every day present (no sale = 0, in stock):
    site_id, item_id, ds, y_obs, demand (NaN when censored), in_stock; the ledger wins over imported history."""
    led = _ledger(session, scope, start, end, site_ids, item_ids)
    imp = _history(session, scope, start, end, site_ids, item_ids)
    both = pd.concat([led.assign(src=0), imp.assign(src=1)], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=["site_id", "item_id", "ds", "y_obs", "demand", "in_stock", "discount", "promo"])
    both = both.sort_values("src").drop_duplicates(["site_id", "item_id", "day"], keep="first")
    both["ds"] = pd.to_datetime(both["day"])
    for c in ("y_obs", "demand", "discount"):
        both[c] = pd.to_numeric(both.get(c), errors="coerce").astype(float)
    both["promo"] = pd.to_numeric(both.get("promo"), errors="coerce").fillna(0.0).astype(float)
    first = both.groupby(["site_id", "item_id"])["ds"].min()
    days = pd.date_range(start, end, freq="D")
    grid = [(s, i, d) for (s, i), f in first.items() for d in days if d >= f]
    full = pd.DataFrame(grid, columns=["site_id", "item_id", "ds"])
    full = full.merge(both.drop(columns=["day", "src"]), on=["site_id", "item_id", "ds"], how="left")
    missing = full["y_obs"].isna()
    full.loc[missing, "y_obs"] = 0.0
    full.loc[missing, "demand"] = 0.0
    full["in_stock"] = full["in_stock"].where(~missing, True).astype(bool)
    return full


def _promotions(session: Session, scope: Scope, start: date, end: date) -> list[models.Promotion]:
    P = models.Promotion
    stmt = select(P).where(P.tenant_id == scope.tenant_id, P.end_day >= start, P.start_day <= end)
    return list(session.scalars(stmt))


def _exog(session: Session, scope: Scope, keys: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Per (site, item, day): discount, promo, display, event, temperature, precipitation, holiday, festival."""
    days = pd.date_range(start, end, freq="D")
    grid = keys.merge(pd.DataFrame({"ds": days}), how="cross")
    grid = grid.assign(discount=1.0, promo=0.0, display=0.0, event=0.0)
    display_rank = {"none": 0.0, "shelf": 1.0, "online": 1.0, "endcap": 2.0, "flyer": 3.0}
    for p in _promotions(session, scope, start, end):
        m = (grid["item_id"] == p.item_id) & (grid["ds"] >= pd.Timestamp(p.start_day)) & (
            grid["ds"] <= pd.Timestamp(p.end_day))  # fmt: skip
        if p.site_ids:
            m &= grid["site_id"].isin(p.site_ids)
        grid.loc[m, "discount"] = float(p.discount)
        grid.loc[m, "promo"] = 1.0
        grid.loc[m, "display"] = display_rank.get(p.display, 0.0)
    E = models.Event
    for e in session.scalars(select(E).where(E.tenant_id == scope.tenant_id, E.end_day >= start, E.start_day <= end)):
        m = (grid["site_id"] == e.site_id) & (grid["ds"] >= pd.Timestamp(e.start_day)) & (
            grid["ds"] <= pd.Timestamp(e.end_day))  # fmt: skip
        grid.loc[m, "event"] = 1.0 if e.impact == "up" else -1.0
    W = models.Weather
    w = session.execute(select(W.site_id, W.day, W.temperature, W.precipitation).where(
        W.tenant_id == scope.tenant_id, W.day >= start, W.day <= end)).all()  # fmt: skip
    wf = pd.DataFrame([tuple(r) for r in w], columns=["site_id", "ds", "temperature", "precipitation"])
    wf["ds"] = pd.to_datetime(wf["ds"])
    wf[["temperature", "precipitation"]] = wf[["temperature", "precipitation"]].astype(float)
    grid = grid.merge(wf, on=["site_id", "ds"], how="left")
    sites = _sites(session, scope, keys["site_id"].unique())
    cals = []
    for country in sorted({c for _, c in sites.values()}):
        ids = [s for s, (_, c) in sites.items() if c == country]
        cals.append(calendar.calendar_frame(country, start, end).merge(pd.DataFrame({"site_id": ids}), how="cross"))
    grid = grid.merge(pd.concat(cals, ignore_index=True), on=["site_id", "ds"], how="left") if cals else grid
    return grid.fillna({"holiday": 0.0, "festival": 0.0})


def _sites(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    s = site_view()
    rows = session.execute(select(s.c.id, s.c.format, s.c.country).where(
        s.c.tenant_id == scope.tenant_id, s.c.id.in_(sorted({int(i) for i in ids}))))  # fmt: skip
    return {int(i): (f or "", c or "CN") for i, f, c in rows}


def _static(session: Session, scope: Scope, keys: pd.DataFrame) -> pd.DataFrame:
    it = item_view()
    items: dict[int, int | None] = dict(session.execute(select(it.c.id, it.c.category_id).where(
        it.c.tenant_id == scope.tenant_id, it.c.id.in_(sorted({int(i) for i in keys["item_id"]})))).all())  # fmt: skip
    sites = _sites(session, scope, keys["site_id"])
    formats = sorted({f for f, _ in sites.values()})
    return pd.DataFrame({
        "unique_id": [key(s, i) for s, i in zip(keys["site_id"], keys["item_id"], strict=True)],
        "site": [str(int(s)) for s in keys["site_id"]],
        "item": [float(int(i)) for i in keys["item_id"]],
        "category": [float(items.get(int(i)) or -1) for i in keys["item_id"]],
        "group": [float(formats.index(sites.get(int(s), ("", ""))[0])) for s in keys["site_id"]],
        "country": [sites.get(int(s), ("", ""))[1] for s in keys["site_id"]],  # the weekday model's calendar
    })  # fmt: skip


def frames(
    session: Session, scope: Scope, origin: date, horizon: int, history_days: int,
    site_ids: Iterable[int] | None = None, item_ids: Iterable[int] | None = None,
    extra_keys: Iterable[tuple[int, int]] = (), recovery: str = domain.DEFAULT_RECOVERY,
    fill: str = domain.DEFAULT_FILL, fill_weeks: int = domain.FILL_WEEKS,
) -> Frames:  # fmt: skip
    """History up to ``origin`` and the horizon's features after it; ``extra_keys``: (site, item) pairs to
    forecast without history (new items or stores: they start from their category profile); ``recovery``:
    how censored days enter the target (``domain.latent``; ``impute``: from the series' in-stock days, which
    measured unbiased on in-stock days, see docs/forecasting.md); ``fill``, ``fill_weeks``: how censored days are
    imputed (``domain.impute``), from the history loaded here only (the days up to ``origin``)."""
    start = origin - timedelta(days=history_days - 1)
    end = origin + timedelta(days=horizon)
    site_ids = None if site_ids is None else list(site_ids)
    item_ids = None if item_ids is None else list(item_ids)
    d = demand(session, scope, start, origin, site_ids, item_ids)
    keys = pd.concat([d[["site_id", "item_id"]], pd.DataFrame(list(extra_keys), columns=["site_id", "item_id"])])
    keys = keys.drop_duplicates().astype(int).reset_index(drop=True)
    if keys.empty:  # no sales in the window and no new series: nothing to forecast (an empty run)
        none = pd.DataFrame(columns=["unique_id", "ds"])
        return Frames(none.assign(y=[]), none, pd.DataFrame(columns=["unique_id"]), origin, ["dayofweek", "dayofyear"])
    ex = _exog(session, scope, keys, start, end)
    ex["unique_id"] = [key(s, i) for s, i in zip(ex["site_id"], ex["item_id"], strict=True)]
    d["unique_id"] = [key(s, i) for s, i in zip(d["site_id"], d["item_id"], strict=True)]
    d = d.drop(columns=[c for c in ("discount", "promo") if c in d.columns])
    hist = d.merge(ex.drop(columns=["site_id", "item_id"]), on=["unique_id", "ds"], how="left")
    hist["y"] = domain.latent(hist, recovery, fill=fill, weeks=fill_weeks)
    # the 2-day model's target (``engine.SHORT_TARGET``: the first days of the forecast are that model's)
    hist["y_short"] = domain.latent(hist, domain.SHORT_RECOVERY, fill=fill, weeks=fill_weeks)
    future = ex[ex["ds"] > pd.Timestamp(origin)].drop(columns=["site_id", "item_id"])
    used = [c for c in ex.columns if c not in ("site_id", "item_id", "ds", "unique_id") and ex[c].nunique() > 1]
    for c in ("temperature", "precipitation"):
        hist[c] = hist[c].astype(float)
        future = future.assign(**{c: future[c].astype(float)})
    return Frames(hist, future, _static(session, scope, keys), origin, ["dayofweek", "dayofyear", *used])


def to_float(values: Iterable[object]) -> np.ndarray:
    return np.array([float(v) if v is not None else np.nan for v in values], dtype=float)  # type: ignore[arg-type]

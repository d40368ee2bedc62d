"""Forecasting in the demo chain: 120 days of daily sales history of 20 perishable items at two busy stores
(imported through the sales-history import, with stockout hours, discounts and promotions), their daily
weather, planned promotions and a local event, and one forecast run, so the forecast, accuracy and
promotions screens show believable data. Deterministic from the seed; small, to keep the demo quick."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

import pandas as pd

from boh.demo.refs import CatalogRefs, OrgRefs
from boh.forecasting import service
from boh.forecasting.api import HistoryMapping
from boh.forecasting.schemas import EventIn, PromotionIn, WeatherIn
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

DAYS = 120
STORES = ("SH01", "SH02")
ITEMS = 20
WEEK = (0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 1.3)  # Monday .. Sunday


def forecast_skus(catalog: CatalogRefs) -> list[str]:
    """The SKUs with a sales history and forecasts at the two stores."""
    fresh = sorted(catalog.shelf_life) or sorted(catalog.item_ids)
    return fresh[:ITEMS]


def load_forecasting(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> int:
    """Import the history, enter weather, promotions and an event, and run the forecasts: the run's id."""
    rng = random.Random(seed * 7 + 13)
    stores = [s for s in STORES if s in org.site_ids] or org.store_codes[:2]
    skus = forecast_skus(catalog)
    today = utcnow().date()
    first = today - timedelta(days=DAYS)
    promos = {sku: (today - timedelta(days=rng.randint(20, 90))) for sku in skus[::4]}
    rows = []
    for store in stores:
        size = rng.uniform(0.8, 1.3)
        for sku in skus:
            level = rng.uniform(4, 40) * size
            for d in range(DAYS):
                day = first + timedelta(days=d)
                start = promos.get(sku)
                promo = start is not None and start <= day < start + timedelta(days=7)
                temp = 18 + 10 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365)
                mean = level * WEEK[day.weekday()] * (1.4 if promo else 1.0) * (1 + 0.01 * (temp - 18))
                qty = max(0.0, rng.gauss(mean, mean * 0.25))
                out = rng.choice((0, 0, 0, 0, 0, 2, 4, 8)) if not promo else rng.choice((0, 4, 8))
                rows.append((store, sku, day.isoformat(), round(qty * (1 - out / 24 * 0.6), 2), out,
                             "0.80" if promo else "1.00", int(promo)))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["store", "sku", "day", "units", "oos_hours", "discount", "promo"])
    mapping = HistoryMapping({"site": "store", "item": "sku", "date": "day", "quantity": "units",
                                "stockout": "oos_hours", "discount": "discount", "promo": "promo"})  # fmt: skip
    service.import_history(uow, filename="demo-history.parquet", data=frame, mapping=mapping)
    weather = []
    for store in stores:
        for d in range(DAYS + 28):
            day = first + timedelta(days=d)
            temp = 18 + 10 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365) + rng.uniform(-3, 3)
            rain = max(0.0, rng.gauss(2, 6))
            weather.append(WeatherIn(site_id=org.site_ids[store], day=day, temperature=Decimal(f"{temp:.1f}"),
                                     precipitation=Decimal(f"{rain:.1f}")))  # fmt: skip
    service.put_weather(uow, weather)
    for k, sku in enumerate(skus[:4]):
        start = today + timedelta(days=3 + 5 * k)
        service.create_promotion(uow, PromotionIn(
            item_id=catalog.item_ids[sku], site_ids=[org.site_ids[s] for s in stores], name=f"Fresh week {k + 1}",
            discount=Decimal("0.85") - Decimal("0.05") * k, display=("endcap", "flyer", "shelf", "online")[k],
            start_day=start, end_day=start + timedelta(days=6)))  # fmt: skip
    market = today + timedelta(days=9)
    service.create_event(uow, EventIn(site_id=org.site_ids[stores[0]], name="Community market", start_day=market,
                                      end_day=market + timedelta(days=1)))  # fmt: skip
    run = service.run_forecast(uow, service.RunOptions(
        horizon=28, history_days=DAYS, site_ids=tuple(org.site_ids[s] for s in stores),
        item_ids=tuple(catalog.item_ids[s] for s in skus), origin=today - timedelta(days=1)))  # fmt: skip
    return run.id

"""Public surface of forecasting for the layers above (replenishment, production, staffing) and the
entrypoints: the latest forecast of a site x item, and the column mapping of a sales-history import."""

from __future__ import annotations

from boh.forecasting.history import FIELDS as HISTORY_FIELDS
from boh.forecasting.history import Mapping_ as HistoryMapping
from boh.forecasting.queries import get_series, latest_run
from boh.forecasting.schemas import ForecastDay, SeriesRead

__all__ = ["HISTORY_FIELDS", "ForecastDay", "HistoryMapping", "SeriesRead", "get_series", "latest_run"]

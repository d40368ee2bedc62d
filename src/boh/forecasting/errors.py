"""Errors of the forecasting domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import NotFound


class PromotionNotFound(NotFound):
    code = "forecasting.promotion_not_found"
    title = "Promotion not found"


class NoForecast(NotFound):
    code = "forecasting.no_forecast"
    title = "No forecast for this site and item"

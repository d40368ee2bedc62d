"""Errors of the forecasting domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class PromotionNotFound(NotFound):
    code = "forecasting.promotion_not_found"
    title = "Promotion not found"


class NoForecast(NotFound):
    code = "forecasting.no_forecast"
    title = "No forecast for this site and item"


class RunNotFound(NotFound):
    code = "forecasting.run_not_found"
    title = "Forecast run not found"


class IdempotencyConflict(Conflict):
    code = "forecasting.idempotency_conflict"
    title = "Idempotency key reused with another request"

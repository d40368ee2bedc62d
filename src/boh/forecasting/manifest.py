"""The forecasting domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ, _INPUT = "forecasting.forecast.read", "forecasting.input.write"
_IMPORT, _RUN = "forecasting.history.import", "forecasting.run"

MANIFEST = Manifest(
    name="forecasting",
    summary="Demand forecasts per site x item (quantiles), promotions, events, weather and sales history.",
    rank=40,  # above inventory (its sale moves are the demand history), the row of orders
    permissions=(_READ, _INPUT, _IMPORT, _RUN),
    grants={
        "regional_manager": (_READ, _INPUT, _RUN),
        "store_manager": (_READ, _INPUT),
        "store_staff": (_READ,),
    },
    models=("boh.forecasting.models",),
    api_routers=("boh.forecasting.routes:router",),
    page_routers=("boh.forecasting.pages:router",),
    nav="boh.forecasting.pages:NAV",
    cli=(CliGroup("forecast", "Demand forecasts: run them, import sales history.", "boh.forecasting.cli:register"),),
    jobs="boh.forecasting.tasks:JOBS",
)

"""Forecasting: daily demand forecasts per site x item with quantiles, for ordering, production and staffing.

Owns promotions, local events, daily weather per site, imported sales history, forecast runs, their forecasts
and backtest metrics (``forecasting_*`` tables). Reads the demand history from ``boh.inventory.api``
(``daily_sales``: sale moves, stockout days censored), sites and items through ``boh.org.api`` /
``boh.catalog.api``. The model code (``engine``) is the Nixtla stack (statsforecast, mlforecast + LightGBM),
run in-process, over the cores or on Dask. Publishes and consumes no events yet.
"""

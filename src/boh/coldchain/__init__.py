"""Cold chain: refrigeration units (fridges, freezers, hot holding, vehicles) and their sensors, readings
over MQTT and HTTP, excursion detection, what an excursion does to the lots stored in the unit, and the
HACCP records (readings, excursions, corrective actions, sign-offs per unit and day).

Owns the ``coldchain_*`` tables. Public: ``api`` (unit and excursion views for other domains).
Uses ``boh.inventory.api`` (lots on hand, lot holds, waste), ``boh.catalog.api`` (storage class),
``boh.org.api`` (sites) and ``boh.notify.api`` (alerts). Publishes ``events.SiteColdChainRisk`` (repeated
excursions at a site; inspections takes it as a risk signal).
"""

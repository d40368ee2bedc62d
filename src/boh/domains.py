"""The domains of BOH, lowest layer first. Adding a domain: write ``boh/<domain>/manifest.py`` and add it
here; the app, console, CLI, worker, event wiring, permissions, models and import contracts follow (see
CONTRIBUTING.md, "Adding a domain")."""

from __future__ import annotations

from boh.catalog.manifest import MANIFEST as CATALOG
from boh.coldchain.manifest import MANIFEST as COLDCHAIN
from boh.forecasting.manifest import MANIFEST as FORECASTING
from boh.inspections.manifest import MANIFEST as INSPECTIONS
from boh.inventory.manifest import MANIFEST as INVENTORY
from boh.kernel.manifest import Manifest
from boh.kitchen.manifest import MANIFEST as KITCHEN
from boh.notify.manifest import MANIFEST as NOTIFY
from boh.org.manifest import MANIFEST as ORG
from boh.purchasing.manifest import MANIFEST as PURCHASING
from boh.replenishment.manifest import MANIFEST as REPLENISHMENT
from boh.trace.manifest import MANIFEST as TRACE

DOMAINS: tuple[Manifest, ...] = (
    ORG,
    NOTIFY,
    CATALOG,
    INVENTORY,
    INSPECTIONS,
    KITCHEN,
    FORECASTING,
    COLDCHAIN,
    PURCHASING,
    TRACE,
    REPLENISHMENT,
)

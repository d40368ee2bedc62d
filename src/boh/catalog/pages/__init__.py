"""Console pages of the catalog domain: items (list, create, edit, import, export) and suppliers with
the items they sell (list, create, edit, import of suppliers and of supplier items, export), supplier
certificates (on the supplier's page, edit page, certificates to renew and the requirement policy)."""

from __future__ import annotations

from boh.catalog.pages import certificates, items, suppliers
from boh.catalog.pages._common import NAV, router, tiles
from boh.catalog.pages.certificates import today_parts

__all__ = ["NAV", "certificates", "items", "router", "suppliers", "tiles", "today_parts"]

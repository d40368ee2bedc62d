"""Constants of the demo chain and the references each loading step hands to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from boh.demo.catalog_gen import LevelSpec

DEMO_TENANT_CODE = "DEMO"
DEMO_TENANT_NAME = "FreshNest Markets"
DEMO_TENANT_NAME_ZH = "鲜邻生活"
# Every demo user shares this password. Demo data only: never use it on a real installation.
DEMO_PASSWORD = "boh-demo-2026"
DEMO_URL = "http://127.0.0.1:8000"


@dataclass
class OrgRefs:
    tenant_id: int
    region_ids: dict[str, int] = field(default_factory=dict)  # region code -> id
    site_ids: dict[str, int] = field(default_factory=dict)  # site code -> id
    store_formats: dict[str, str] = field(default_factory=dict)  # store code -> format
    store_regions: dict[str, str] = field(default_factory=dict)  # store code -> region code
    dc_code: str = ""
    kitchen_code: str = ""
    office_code: str = ""

    @property
    def store_codes(self) -> list[str]:
        return sorted(self.store_formats)


@dataclass
class CatalogRefs:
    item_ids: dict[str, int] = field(default_factory=dict)  # SKU -> id
    supplier_ids: dict[str, int] = field(default_factory=dict)  # supplier code -> id
    category_ids: dict[str, int] = field(default_factory=dict)  # category code -> id
    primary_supplier: dict[str, str] = field(default_factory=dict)  # SKU -> code of its preferred supplier
    supplier_items: int = 0
    assortment_rows: int = 0
    levels: list[LevelSpec] = field(default_factory=list)  # every assortment row's stock levels
    unit_costs: dict[str, Decimal] = field(default_factory=dict)  # SKU -> primary supplier price per base unit
    shelf_life: dict[str, int] = field(default_factory=dict)  # SKU -> shelf life in days, perishable items only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str
    scope: str  # "all", a region code or a site code


@dataclass
class UserRefs:
    logins: list[DemoLogin] = field(default_factory=list)
    user_ids: dict[str, int] = field(default_factory=dict)  # username -> id
    device_key: str | None = None  # shown once, when the demo is loaded
    device_site: str | None = None

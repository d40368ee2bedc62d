"""Demo organisation: the tenant, its four regions and its sites (stores, a DC, a central kitchen and
the head office), written through the org services so that audit records and events exist as for
real data."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from boh.demo.org_data import HOURS, REGIONS, SITES, SiteSpec
from boh.demo.refs import DEMO_TENANT_CODE, DEMO_TENANT_NAME, DEMO_TENANT_NAME_ZH, OrgRefs
from boh.kernel.uow import UnitOfWork
from boh.org import service
from boh.org.models import Tenant
from boh.org.schemas import RegionCreate, SiteCreate


def find_demo_tenant(uow: UnitOfWork) -> int | None:
    """The id of the demo tenant, or None when the demo has not been loaded."""
    return uow.session.scalars(select(Tenant.id).where(Tenant.code == DEMO_TENANT_CODE)).first()


def create_demo_tenant(uow: UnitOfWork) -> int:
    tenant = service.create_tenant(
        uow,
        code=DEMO_TENANT_CODE,
        name=DEMO_TENANT_NAME,
        name_zh=DEMO_TENANT_NAME_ZH,
        base_currency="CNY",
        default_locale="zh_CN",
    )
    return tenant.id


# Receiving days: the DC takes no deliveries on Sundays; a convenience store's small back room and narrow street
# take the suppliers' trucks three days a week; the others every day (empty: every day).
RECEIVING: dict[str, tuple[str, ...]] = {
    "dc": ("mon", "tue", "wed", "thu", "fri", "sat"),
    "convenience": ("mon", "wed", "fri"),
}


def _site_create(spec: SiteSpec) -> SiteCreate:
    return SiteCreate(
        code=spec.code,
        name=spec.name,
        name_zh=spec.name_zh,
        region_code=spec.region,
        kind=spec.kind,
        format=spec.format,
        size_class=spec.size,
        timezone="Asia/Shanghai",
        currency="CNY",
        address=spec.address,
        city=spec.city,
        country="CN",
        latitude=Decimal(spec.lat),
        longitude=Decimal(spec.lon),
        opening_hours=HOURS[spec.hours],
        receiving_days=list(RECEIVING.get(spec.format or spec.kind, ())),
        area_m2=Decimal(spec.area_m2),
        # a restaurant's stock is consumed by recipes, so a short count is flagged, never refused
        negative_stock="flag",
    )


def load_org(uow: UnitOfWork, seed: int) -> OrgRefs:
    """Regions and sites of the demo tenant (``uow`` acts in that tenant). ``seed`` is unused: the
    organisation is hand-written, so it is the same for every seed."""
    del seed
    refs = OrgRefs(tenant_id=uow.tenant_id)
    for region in REGIONS:
        created = service.create_region(uow, RegionCreate(code=region.code, name=region.name, name_zh=region.name_zh))
        refs.region_ids[region.code] = created.id
    for spec in SITES:
        site = service.create_site(uow, _site_create(spec))
        refs.site_ids[spec.code] = site.id
        if spec.kind == "store":
            assert spec.format is not None
            refs.store_formats[spec.code] = spec.format
            refs.store_regions[spec.code] = spec.region
        elif spec.kind == "dc":
            refs.dc_code = spec.code
        elif spec.kind == "kitchen":
            refs.kitchen_code = spec.code
        else:
            refs.office_code = spec.code
    return refs

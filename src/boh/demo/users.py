"""Demo users, one or more for every role, and a device API key for one store.

Every demo user shares ``DEMO_PASSWORD``. Usernames start with ``demo.`` so that they never collide
with a real login of the same tenant (usernames are unique per tenant)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from boh.catalog.models import Supplier
from boh.demo.refs import DEMO_PASSWORD, CatalogRefs, DemoLogin, OrgRefs, UserRefs
from boh.kernel.permissions import ROLE_PERMISSIONS, ROLES
from boh.kernel.uow import UnitOfWork
from boh.org import auth, service
from boh.org.models import Region, RoleAssignment, Site, User
from boh.org.schemas import ApiKeyCreate, RoleGrant, UserCreate

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = (
    "芳",
    "伟",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "晓东",
    "海燕",
    "建华",
    "志强",
    "丽华",
    "俊杰",
    "雪梅",
    "国庆",
    "子涵",
    "欣怡",
    "浩然",
    "思远",
)
STAFF_STORES = ("SH01", "BJ01")
DEVICE_STORE = "SH01"
EMAIL_DOMAIN = "demo.freshnest.example"


@dataclass(frozen=True)
class _UserSpec:
    username: str
    display_name: str
    role: str
    region: str | None = None
    site: str | None = None
    locale: str = "zh_CN"
    supplier_id: int | None = None
    supplier_code: str | None = None


class _Names:
    """Deterministic, non-repeating Chinese personal names."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"demo-users-{seed}")
        self._used: set[str] = set()

    def next(self) -> str:
        while True:
            name = self._rng.choice(_SURNAMES) + self._rng.choice(_GIVEN)
            if name not in self._used:
                self._used.add(name)
                return name


def _specs(seed: int, org: OrgRefs, catalog: CatalogRefs) -> list[_UserSpec]:
    names = _Names(seed)
    specs = [
        _UserSpec("demo.admin", names.next(), "hq_admin"),
        _UserSpec("demo.buyer", names.next(), "buyer"),
        _UserSpec("demo.accountant", names.next(), "accountant"),
        _UserSpec("demo.inspector", names.next(), "inspector", locale="en"),
    ]
    specs += [
        _UserSpec(f"demo.rm.{code.lower()}", names.next(), "regional_manager", region=code)
        for code in sorted(org.region_ids)
    ]
    managed = [*org.store_codes, org.dc_code, org.kitchen_code]
    specs += [
        _UserSpec(
            f"demo.sm.{code.lower()}", names.next(), "store_manager", site=code, locale="en" if i % 4 == 3 else "zh_CN"
        )
        for i, code in enumerate(managed)
    ]
    specs += [_UserSpec(f"demo.staff.{code.lower()}", names.next(), "store_staff", site=code) for code in STAFF_STORES]
    specs.append(
        _UserSpec(f"demo.device.{DEVICE_STORE.lower()}", f"{DEVICE_STORE} 手持终端", "device", site=DEVICE_STORE)
    )
    if catalog.supplier_ids:
        first = sorted(catalog.supplier_ids)[0]
        specs.append(
            _UserSpec(
                "demo.supplier",
                names.next(),
                "supplier",
                locale="en",
                supplier_id=catalog.supplier_ids[first],
                supplier_code=first,
            )
        )
    return specs


def _create(uow: UnitOfWork, spec: _UserSpec) -> int:
    grant = RoleGrant(role=spec.role, region_code=spec.region, site_code=spec.site)
    user = service.create_user(
        uow,
        UserCreate(
            username=spec.username,
            display_name=spec.display_name,
            email=f"{spec.username}@{EMAIL_DOMAIN}",
            password=DEMO_PASSWORD,
            locale=spec.locale,
            supplier_id=spec.supplier_id,
            roles=[grant],
        ),
    )
    return user.id


def load_users(uow: UnitOfWork, seed: int, org: OrgRefs, catalog: CatalogRefs) -> UserRefs:
    """Users for every role (the supplier user acts for the first demo supplier) and a device key."""
    refs = UserRefs()
    for spec in _specs(seed, org, catalog):
        refs.user_ids[spec.username] = _create(uow, spec)
        refs.logins.append(
            DemoLogin(
                spec.username, spec.display_name, spec.role, spec.region or spec.site or spec.supplier_code or "all"
            )
        )
    key = auth.create_api_key(
        uow,
        ApiKeyCreate(
            name=f"{DEVICE_STORE} handheld scanners (demo)",
            site_id=org.site_ids[DEVICE_STORE],
            permissions=sorted(ROLE_PERMISSIONS["device"]),
        ),
    )
    refs.device_key, refs.device_site = key.key, DEVICE_STORE
    refs.logins = sort_logins(refs.logins)
    return refs


def existing_logins(uow: UnitOfWork, tenant_id: int) -> list[DemoLogin]:
    """The demo tenant's users and roles as they are in the database (for a demo loaded earlier)."""
    rows = uow.session.execute(
        select(User.username, User.display_name, RoleAssignment.role, Region.code, Site.code, Supplier.code)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .outerjoin(Supplier, Supplier.id == User.supplier_id)
        .outerjoin(Region, Region.id == RoleAssignment.region_id)
        .outerjoin(Site, Site.id == RoleAssignment.site_id)
        .where(User.tenant_id == tenant_id, User.active.is_(True))
    ).all()
    return sort_logins(
        [DemoLogin(u, d, role, region or site or supplier or "all") for u, d, role, region, site, supplier in rows]
    )


def sort_logins(logins: list[DemoLogin]) -> list[DemoLogin]:
    """In the order of ROLES (HQ admin first), then by username."""
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted(logins, key=lambda x: (order.get(x.role, len(order)), x.username))

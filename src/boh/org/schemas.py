"""Input and output models of the org domain."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from boh.kernel.patch import PatchModel
from boh.kernel.permissions import ALL_PERMISSIONS, ROLES

SiteKind = Literal["store", "dc", "kitchen", "office"]
SizeClass = Literal["S", "M", "L", "XL"]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
_HOURS = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegionCreate(_Base):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    parent_id: int | None = None


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    name_zh: str | None
    parent_id: int | None


class SiteFields(_Base):
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    region_code: str | None = Field(default=None, description="Code of the region the site belongs to")
    kind: SiteKind
    format: str | None = Field(default=None, max_length=40)
    size_class: SizeClass | None = None
    timezone: str = "Asia/Shanghai"
    currency: Currency = "CNY"
    address: str | None = Field(default=None, max_length=400)
    city: str | None = Field(default=None, max_length=100)
    country: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    opening_hours: dict[Weekday, list[Annotated[str, Field(pattern=_HOURS)]]] = Field(default_factory=dict)
    receiving_days: list[Weekday] = Field(
        default_factory=list, description="Weekdays the site takes deliveries (empty: every day)"
    )
    area_m2: Decimal | None = Field(default=None, ge=0, lt=10**10, decimal_places=2)
    negative_stock: Literal["flag", "refuse"] = "flag"
    active: bool = True

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone '{v}'") from exc
        return v


class SiteCreate(SiteFields):
    code: Code


class SiteUpdate(PatchModel):
    nullable = frozenset({"name_zh", "region_code", "format", "size_class", "address", "city", "latitude",
                          "longitude", "area_m2"})  # fmt: skip

    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_zh: str | None = None
    region_code: str | None = None
    format: str | None = None
    size_class: SizeClass | None = None
    timezone: str | None = None
    currency: Currency | None = None
    address: str | None = None
    city: str | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    opening_hours: dict[Weekday, list[Annotated[str, Field(pattern=_HOURS)]]] | None = None
    receiving_days: list[Weekday] | None = None
    area_m2: Decimal | None = Field(default=None, ge=0, lt=10**10, decimal_places=2)
    negative_stock: Literal["flag", "refuse"] | None = None
    active: bool | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return None if v is None else SiteFields._tz(v)


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    name_zh: str | None
    region_id: int | None
    region_code: str | None = None
    kind: str
    format: str | None
    size_class: str | None
    timezone: str
    currency: str
    address: str | None
    city: str | None
    country: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: dict[str, list[str]]
    receiving_days: list[str] = Field(default_factory=list)
    area_m2: Decimal | None
    negative_stock: str
    active: bool


class SiteFilter(BaseModel):
    q: str | None = None
    kind: SiteKind | None = None
    region_id: int | None = None
    active: bool | None = None


Role = Literal[ROLES]  # type: ignore[valid-type]


class RoleGrant(_Base):
    role: Role
    region_code: str | None = None
    site_code: str | None = None


class UserCreate(_Base):
    username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(min_length=10, max_length=200, repr=False)
    locale: Literal["en", "zh_CN"] = "zh_CN"
    supplier_id: int | None = None
    roles: list[RoleGrant] = Field(default_factory=list)


class UserUpdate(PatchModel):
    nullable = frozenset({"email"})

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = None
    locale: Literal["en", "zh_CN"] | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200, repr=False)
    roles: list[RoleGrant] | None = None


class RoleGrantRead(BaseModel):
    role: str
    region_id: int | None
    site_id: int | None


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    locale: str
    active: bool
    supplier_id: int | None
    roles: list[RoleGrantRead]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshRequest(_Base):
    refresh_token: str = Field(min_length=10, repr=False)


class ApiKeyCreate(_Base):
    name: str = Field(min_length=1, max_length=120)
    site_id: int | None = None
    permissions: list[str] = Field(min_length=1)
    expires_at: AwareDatetime | None = Field(default=None, description="When the key stops working (with a UTC offset)")

    @field_validator("permissions")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - ALL_PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown permissions: {', '.join(unknown)}")
        return sorted(set(v))


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    site_id: int | None
    permissions: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The full key. It is shown only this once; store it safely.")


class Me(BaseModel):
    id: int
    kind: str
    tenant_id: int
    name: str
    roles: list[str]
    permissions: list[str]
    locale: str

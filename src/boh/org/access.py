"""Who may reach the API at the platform level, and whether a tenant may be reached at all: the platform
keys and the disabled-tenant check (see boh.org.platform). Kept apart from auth.py's token and session
checks: the authenticator calls ``ensure_tenant_active`` for every credential it accepts."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.clock import utcnow
from boh.kernel.permissions import PLATFORM_OPERATOR
from boh.kernel.tenancy import Principal
from boh.org.errors import InvalidToken, TenantDisabled, TenantDisabledLogin
from boh.org.models import PlatformKey, Tenant

PLATFORM_PERMISSIONS = PLATFORM_OPERATOR
PLATFORM_READ, PLATFORM_WRITE = PLATFORM_OPERATOR
KEY_PREFIX = "bohp_"
API_KEYS_CACHE = "org.api_key_principal"  # auth.py's cache of API key principals


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- platform keys -----------------------------------------------------------------------------------


def create_platform_key(session: Session, name: str) -> tuple[PlatformKey, str]:
    """A new platform key; the raw key is returned once and never stored."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = PlatformKey(name=name, prefix=prefix, key_hash=_sha256(secret))
    session.add(key)
    session.flush()
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


def revoke_platform_key(session: Session, prefix: str) -> bool:
    key = session.scalars(select(PlatformKey).where(PlatformKey.prefix == prefix)).one_or_none()
    if key is None:
        return False
    key.revoked_at = key.revoked_at or utcnow()
    return True


def is_platform_key(raw: str) -> bool:
    return raw.startswith(KEY_PREFIX)


def platform_principal(session: Session, raw: str) -> Principal:
    """The operator behind a platform key; InvalidToken for a malformed, unknown or revoked key."""
    prefix, _, secret = raw.removeprefix(KEY_PREFIX).partition("_")
    key = session.scalars(select(PlatformKey).where(PlatformKey.prefix == prefix)).one_or_none()
    if key is None or not secret or not hmac.compare_digest(key.key_hash, _sha256(secret)):
        raise InvalidToken("unknown platform key")
    if key.revoked_at is not None:
        raise InvalidToken("the platform key is revoked")
    return Principal(
        kind="platform", id=key.id, tenant_id=0, name=key.name, roles=frozenset({"platform_admin"}),
        grants=dict.fromkeys(PLATFORM_PERMISSIONS),
    )  # fmt: skip


# --- the disabled-tenant check ---------------------------------------------------------------------


def ensure_tenant_active(session: Session, tenant_id: int, *, signing_in: bool = False) -> None:
    """TenantDisabled (401, ``auth.tenant_disabled``) when the tenant is disabled."""
    active = session.scalar(select(Tenant.active).where(Tenant.id == tenant_id))
    if active is False:
        error = TenantDisabledLogin if signing_in else TenantDisabled
        raise error("this company's account is disabled; contact the platform operator")

"""Authentication: password login with throttling, short-lived JWT access tokens, rotating refresh
tokens, API keys for devices and integrations, and building the request's Principal."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from boh.kernel import cache as kernel_cache
from boh.kernel.clock import utcnow
from boh.kernel.errors import PermissionDenied, TooManyAttempts
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork
from boh.org import repository as repo
from boh.org import sessions
from boh.org.access import API_KEYS_CACHE, ensure_tenant_active, is_platform_key, platform_principal
from boh.org.domain import Assignment, api_key_grants, resolve_grants
from boh.org.errors import ApiKeyNotFound, InvalidCredentials, InvalidToken, TenantRequired
from boh.org.models import ApiKey, LoginAttempt, LoginSession, RefreshToken, RoleAssignment, Tenant, User
from boh.org.passwords import verify_password
from boh.org.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, TokenPair
from boh.settings import AuthSettings

MAX_FAILURES_PER_CLIENT = 30  # per 15 minutes, across usernames


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


_SID = re.compile(r"[0-9a-f-]{1,36}")  # a session id is a UUID (only its characters reach the database)
_MAX_ID = 2**63 - 1  # ids are BIGINT: a larger number is no id (and would be a database error)


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    tenant_id: int
    session_id: str


def _id(value: object, *, text: bool) -> int:
    """A positive BIGINT id as the token carries it (``sub`` as decimal text, ``tid`` as a number)."""
    if text and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    elif not text and isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise ValueError("not an id")
    if not 0 < number <= _MAX_ID:
        raise ValueError("not an id")
    return number


def _claims(claims: object) -> tuple[int, AccessClaims]:
    """Expiry and identity of a signed token's claims; ValueError for any claim of the wrong type or range."""
    if not isinstance(claims, dict) or claims.get("typ") != "access":
        raise ValueError("not an access token")
    exp, sid = claims.get("exp"), claims.get("sid")
    if not isinstance(exp, int) or isinstance(exp, bool) or not isinstance(sid, str) or not _SID.fullmatch(sid):
        raise ValueError("bad exp or sid")
    return exp, AccessClaims(_id(claims.get("sub"), text=True), _id(claims.get("tid"), text=False), sid)


class TokenService:
    def __init__(self, secret: str, settings: AuthSettings) -> None:
        self.secret = secret
        self.settings = settings

    def access_token(self, user: User, session_id: str) -> str:
        now = utcnow()
        claims = {
            "sub": str(user.id),
            "tid": user.tenant_id,
            "sid": session_id,
            "typ": "access",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=self.settings.access_token_minutes)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.secret, algorithm=self.settings.jwt_algorithm)

    def decode(self, token: str) -> AccessClaims:
        """The claims of a valid, unexpired access token; InvalidToken (401) for anything else, whatever
        the token holds (a claim missing, of another type or out of range is never a server error)."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[self.settings.jwt_algorithm],
                # times are checked below against boh's clock (PyJWT would read the system clock)
                options={"require": ["exp", "sub", "tid", "sid"], "verify_exp": False, "verify_iat": False},
            )
            exp, access = _claims(claims)
        except (jwt.PyJWTError, TypeError, ValueError, KeyError, OverflowError) as exc:
            raise InvalidToken("the access token is invalid or has expired") from exc
        if exp <= utcnow().timestamp():
            raise InvalidToken("the access token is invalid or has expired")
        return access

    def issue(self, session: Session, user: User, family: str | None = None) -> TokenPair:
        """A token pair of the login session ``family`` (a new session when None)."""
        sid = family or sessions.start(session, user)
        raw = secrets.token_urlsafe(40)
        session.add(
            RefreshToken(
                user_id=user.id,
                token_hash=_sha256(raw),
                family=sid,
                expires_at=utcnow() + timedelta(days=self.settings.refresh_token_days),
                revoked=False,
            )
        )
        return TokenPair(
            access_token=self.access_token(user, sid),
            refresh_token=raw,
            expires_in=self.settings.access_token_minutes * 60,
        )


def _record_failure(session: Session, user: User | None, client: str, settings: AuthSettings) -> None:
    session.add(LoginAttempt(client=client[:64], at=utcnow()))
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_until = utcnow() + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0


def _only_tenant(session: Session) -> int | None:
    """The tenant of a deployment that hosts exactly one, else None."""
    ids = session.scalars(select(Tenant.id).order_by(Tenant.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def hosts_several_tenants(session: Session) -> bool:
    return _only_tenant(session) is None


def _login_user(session: Session, username: str, tenant: str | None) -> User | None:
    """The user a sign-in names. Usernames are unique per tenant, so the tenant comes from ``tenant`` (its
    code), from ``user@CODE``, or - on a server that hosts one tenant only - from the deployment. Only the
    named tenant is searched: whether another tenant has this username never changes the answer."""
    wanted: list[ColumnElement[bool]] = []
    if tenant:
        wanted.append(and_(func.upper(Tenant.code) == tenant.strip().upper(), User.username == username))
    else:
        name, at, code = username.rpartition("@")
        if at and name and code:
            wanted.append(and_(func.upper(Tenant.code) == code.upper(), User.username == name))
        only = _only_tenant(session)
        if only is not None:
            wanted.append(and_(Tenant.id == only, User.username == username))
        elif not wanted:
            raise TenantRequired(
                "this server hosts several companies: sign in as user@COMPANY or give the company code (tenant)"
            )
    stmt = select(User).join(Tenant, Tenant.id == User.tenant_id).where(or_(*wanted)).with_for_update(of=User)
    users = session.scalars(stmt).all()
    return users[0] if len(users) == 1 else None


def login(
    uow: UnitOfWork, tokens: TokenService, *, username: str, password: str, client: str, tenant: str | None = None
) -> TokenPair:
    """Check a password. Failures are recorded in ``uow`` (the caller commits them, then re-raises)."""
    session, settings = uow.session, tokens.settings
    window_start = utcnow() - timedelta(minutes=15)
    recent = (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.client == client[:64], LoginAttempt.at >= window_start)
        )
        or 0
    )
    if recent >= MAX_FAILURES_PER_CLIENT:
        raise TooManyAttempts("too many failed logins from this address; try again later")
    user = _login_user(session, username, tenant)
    if user is not None and user.locked_until is not None and user.locked_until > utcnow():
        raise TooManyAttempts("this account is locked after repeated failed logins; try again later")
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        _record_failure(session, user if user and user.active else None, client, settings)
        raise InvalidCredentials("wrong username or password")
    ensure_tenant_active(session, user.tenant_id, signing_in=True)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    return tokens.issue(session, user)


def refresh(uow: UnitOfWork, tokens: TokenService, raw: str) -> TokenPair:
    """Rotate a refresh token. Presenting a used token again ends its whole session (theft signal)."""
    session = uow.session
    rt = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == _sha256(raw)).with_for_update()
    ).one_or_none()
    if rt is None or rt.revoked or rt.expires_at <= utcnow():
        raise InvalidToken("the refresh token is invalid or has expired")
    if rt.used_at is not None:
        sessions.end(session, rt.family, "refresh_reused")
        raise InvalidToken("the refresh token was already used; sign in again")
    login_session = session.get(LoginSession, rt.family)
    if login_session is None or login_session.ended_at is not None:
        raise InvalidToken("the session has ended; sign in again")
    rt.used_at = utcnow()
    user = session.get(User, rt.user_id)
    if user is None or not user.active:
        raise InvalidToken("the account is disabled")
    ensure_tenant_active(session, user.tenant_id)
    return tokens.issue(session, user, family=rt.family)


def logout(uow: UnitOfWork, raw: str | None = None, *, access: AccessClaims | None = None) -> None:
    """End the session of a refresh token and/or of an access token: every token of it stops at once."""
    families = set()
    if raw:
        rt = uow.session.scalars(select(RefreshToken).where(RefreshToken.token_hash == _sha256(raw))).one_or_none()
        if rt is not None:
            families.add(rt.family)
    if access is not None:
        families.add(access.session_id)
    for family in sorted(families):
        sessions.end(uow.session, family, "logout")


def principal_for_user(session: Session, user: User) -> Principal:
    rows = session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
    assignments = [Assignment(r.role, r.region_id, r.site_id) for r in rows]
    needs_regions = any(a.region_id is not None and a.site_id is None for a in assignments)
    by_region = repo.sites_by_region(session, user.tenant_id) if needs_regions else {}
    return Principal(
        kind="user",
        id=user.id,
        tenant_id=user.tenant_id,
        name=user.display_name,
        roles=frozenset(a.role for a in assignments),
        grants=resolve_grants(assignments, by_region),
        supplier_id=user.supplier_id,
        locale=user.locale,
    )


# --- API keys -------------------------------------------------------------------------------------


def _check_grantable(principal: Principal, data: ApiKeyCreate) -> None:
    """Nobody can mint a key stronger than themselves: every permission must be held, on the key's site."""
    for perm in data.permissions:
        if not principal.can(perm):
            raise PermissionDenied(f"you cannot give a key {perm}: you do not hold it")
        sites = principal.grants[perm]
        if sites is not None and (data.site_id is None or data.site_id not in sites):
            raise PermissionDenied(f"you hold {perm} only for some sites: bind the key to one of them")


def create_api_key(uow: UnitOfWork, data: ApiKeyCreate) -> ApiKeyCreated:
    scope = uow.principal.scope("org.apikey.write")
    if data.site_id is not None:
        repo.get_site(uow.session, scope, data.site_id)
    _check_grantable(uow.principal, data)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(
        tenant_id=scope.tenant_id,
        name=data.name,
        prefix=prefix,
        key_hash=_sha256(secret),
        site_id=data.site_id,
        permissions=data.permissions,
        expires_at=data.expires_at,
        created_by=uow.principal.id,
    )
    uow.session.add(key)
    uow.flush()
    uow.audit(
        "org.apikey.create",
        "api_key",
        key.id,
        after={"name": key.name, "prefix": prefix, "site_id": key.site_id, "permissions": key.permissions},
    )
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=f"boh_{prefix}_{secret}")


def revoke_api_key(uow: UnitOfWork, key_id: int) -> ApiKey:
    scope = uow.principal.scope("org.apikey.write")
    key = uow.session.scalars(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.tenant_id == scope.tenant_id)
    ).one_or_none()
    if key is None:
        raise ApiKeyNotFound(f"API key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        uow.audit("org.apikey.revoke", "api_key", key.id, after={"prefix": key.prefix})
    kernel_cache.forget(uow.session, _API_KEYS)
    return key


API_KEY_TTL = 5.0  # seconds another process may still accept a key after it was revoked (this one: none)
_API_KEYS = API_KEYS_CACHE


def cached_principal_for_api_key(session: Session, raw: str) -> Principal:
    """``principal_for_api_key``, remembered for API_KEY_TTL seconds by the key's hash (devices and store
    screens send the same key many times a second). Revoking a key forgets every key in the revoking
    process at once; a key past its expiry is never served from the cache."""
    principal, expires = kernel_cache.cached(
        session, _API_KEYS, _sha256(raw), API_KEY_TTL, lambda: _api_key_principal(session, raw)
    )
    if expires is not None and expires <= utcnow():
        raise InvalidToken("the API key is revoked or expired")
    return principal


def principal_for_api_key(session: Session, raw: str) -> Principal:
    return _api_key_principal(session, raw)[0]


def _api_key_principal(session: Session, raw: str) -> tuple[Principal, datetime | None]:
    """The key's principal and its expiry; InvalidToken for a malformed, unknown, revoked or expired key."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != "boh":
        raise InvalidToken("malformed API key")
    prefix, secret = parts[1], "_".join(parts[2:])
    key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
    if key is None or not hmac.compare_digest(key.key_hash, _sha256(secret)):
        raise InvalidToken("unknown API key")
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= utcnow()):
        raise InvalidToken("the API key is revoked or expired")
    ensure_tenant_active(session, key.tenant_id)
    principal = Principal(
        kind="api_key",
        id=key.id,
        tenant_id=key.tenant_id,
        name=key.name,
        roles=frozenset({"device"}),
        grants=api_key_grants(key.permissions, key.site_id),
    )
    return principal, key.expires_at


class OrgAuthenticator:
    """Implements boh.http.deps.Authenticator against the org tables."""

    def __init__(self, session_factory: sessionmaker[Session], tokens: TokenService) -> None:
        self.session_factory = session_factory
        self.tokens = tokens

    def _lookup_session(self) -> Session:
        """A session for the authentication reads of a request: autocommit, so they cost no BEGIN and
        ROLLBACK round trips (two of the seven a stock read made)."""
        session = self.session_factory()
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return session

    def from_bearer(self, token: str) -> Principal:
        """The user of an access token whose login session is still open: one indexed read of the user and
        the session (a logout, a new password or a deactivation in any process takes effect at once)."""
        claims = self.tokens.decode(token)
        with self._lookup_session() as session:
            row = session.execute(
                select(User, LoginSession.ended_at)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(User.id == claims.user_id, LoginSession.id == claims.session_id)
            ).one_or_none()
            if row is None or row[1] is not None:
                raise InvalidToken("the session has ended; sign in again")
            user = row[0]
            if not user.active or user.tenant_id != claims.tenant_id:
                raise InvalidToken("the account no longer exists or is disabled")
            ensure_tenant_active(session, claims.tenant_id)
            return principal_for_user(session, user)

    def cached_api_key(self, key: str) -> Principal | None:
        """The key's principal if this process authenticated it in the last API_KEY_TTL seconds (and it has not
        expired since), else None. No database I/O: the event loop may call it."""
        bind = self.session_factory.kw.get("bind")
        if not isinstance(bind, Engine):
            return None
        hit = kernel_cache.peek(bind, _API_KEYS, _sha256(key))
        if hit is None or (hit[1] is not None and hit[1] <= utcnow()):
            return None
        principal: Principal = hit[0]
        return principal

    def from_api_key(self, key: str) -> Principal:
        with self._lookup_session() as session:
            if is_platform_key(key):
                return platform_principal(session, key)
            return cached_principal_for_api_key(session, key)

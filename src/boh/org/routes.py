"""JSON API of the org domain under /api/v1: auth, regions, sites, users, API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile

from boh.http.deps import PrincipalDep, UowDep, session_factory
from boh.http.files import ExportFormat, download, read_upload_sync
from boh.http.pagination import Page, PageDep
from boh.http.routing import AUTHENTICATED, SecureRouter
from boh.kernel.tenancy import Principal, Scope
from boh.kernel.uow import UnitOfWork
from boh.org import auth, imports, queries, service
from boh.org.errors import InvalidCredentials, InvalidToken
from boh.org.models import Tenant
from boh.org.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    Me,
    RefreshRequest,
    RegionCreate,
    RegionRead,
    SiteCreate,
    SiteFilter,
    SiteKind,
    SiteRead,
    SiteUpdate,
    TokenPair,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = SecureRouter(prefix="/api/v1")

ANON = Principal(kind="system", id=0, tenant_id=0, name="anonymous")


def _anon_uow(request: Request) -> UnitOfWork:
    return UnitOfWork(session_factory(request), ANON, getattr(request.state, "request_id", None))


def _tokens(request: Request) -> auth.TokenService:
    tokens: auth.TokenService = request.app.state.tokens
    return tokens


@router.post(
    "/auth/token", public=True, tags=["auth"], response_model=TokenPair, summary="Sign in (OAuth2 password flow)"
)
def token(
    request: Request,
    username: Annotated[str, Form(description="Your username, or username@COMPANY (the tenant's code)")],
    password: Annotated[str, Form()],
    tenant: Annotated[
        str | None,
        Form(description="The company (tenant) code. Usernames are unique per tenant: a server that hosts "
             "several companies needs it (here or as username@COMPANY)"),
    ] = None,
) -> TokenPair:  # fmt: skip
    client = request.client.host if request.client else "unknown"
    with _anon_uow(request) as uow:
        try:
            pair = auth.login(uow, _tokens(request), username=username, password=password, client=client, tenant=tenant)
        except InvalidCredentials:
            uow.commit()  # keep the failed-attempt count, then refuse
            raise
        uow.commit()
        return pair


@router.post(
    "/auth/refresh",
    public=True,
    tags=["auth"],
    response_model=TokenPair,
    summary="Exchange a refresh token for a new token pair",
)
def refresh(request: Request, body: RefreshRequest) -> TokenPair:
    with _anon_uow(request) as uow:
        try:
            pair = auth.refresh(uow, _tokens(request), body.refresh_token)
        except Exception:
            uow.commit()  # a reused token revokes its family even though the call fails
            raise
        uow.commit()
        return pair


@router.post(
    "/auth/logout",
    public=True,
    tags=["auth"],
    status_code=204,
    summary="Sign out: end the session of a refresh token (body) and/or of the bearer access token",
    description="Every access and refresh token of the session stops working at once.",
)
def logout(request: Request, body: RefreshRequest | None = None) -> None:
    access = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        try:
            access = _tokens(request).decode(header[7:].strip())
        except InvalidToken:
            access = None  # an invalid or expired token has no session left to end
    with _anon_uow(request) as uow:
        auth.logout(uow, body.refresh_token if body else None, access=access)
        uow.commit()


@router.get("/auth/me", perm=AUTHENTICATED, tags=["auth"], response_model=Me)
def me(principal: PrincipalDep) -> Me:
    return Me(
        id=principal.id,
        kind=principal.kind,
        tenant_id=principal.tenant_id,
        name=principal.name,
        roles=sorted(principal.roles),
        permissions=sorted(principal.grants),
        locale=principal.locale,
    )


@router.get("/org/tenant", perm="org.tenant.read", tags=["org"])
def tenant(uow: UowDep) -> dict[str, str | int | None]:
    t = uow.session.get(Tenant, uow.tenant_id)
    assert t is not None
    return {"id": t.id, "code": t.code, "name": t.name, "name_zh": t.name_zh, "base_currency": t.base_currency}


@router.get("/org/regions", perm="org.region.read", tags=["org"], response_model=list[RegionRead])
def regions(uow: UowDep) -> list[RegionRead]:
    return queries.list_regions(uow.session, uow.principal.scope("org.region.read"))


@router.post("/org/regions", perm="org.region.write", tags=["org"], status_code=201, response_model=RegionRead)
def create_region(uow: UowDep, body: RegionCreate) -> RegionRead:
    region = service.create_region(uow, body)
    uow.commit()
    return RegionRead.model_validate(region)


def _site_scope(uow: UnitOfWork) -> Scope:
    return uow.principal.scope("org.site.read")


@router.get("/org/sites", perm="org.site.read", tags=["org"], response_model=Page[SiteRead])
def sites(
    uow: UowDep,
    page: PageDep,
    q: str | None = None,
    kind: SiteKind | None = None,
    region_id: int | None = None,
    active: bool | None = None,
) -> Page[SiteRead]:
    f = SiteFilter(q=q, kind=kind, region_id=region_id, active=active)
    items, total = queries.list_sites(uow.session, _site_scope(uow), f, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/org/sites", perm="org.site.write", tags=["org"], status_code=201, response_model=SiteRead)
def create_site(uow: UowDep, body: SiteCreate) -> SiteRead:
    site = service.create_site(uow, body)
    out = queries.get_site(uow.session, uow.principal.scope("org.site.write"), site.id)  # before the commit
    uow.commit()
    return out


@router.get("/org/sites/export", perm="org.site.read", tags=["org"], summary="Export sites as CSV or XLSX")
def export_sites(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv"):  # type: ignore[no-untyped-def]
    return download(imports.export_sites(uow, format), format, "sites")


@router.post(
    "/org/sites/import",
    perm="org.site.write",
    tags=["org"],
    response_model=imports.ImportResult,
    summary="Import sites from CSV or XLSX (upsert by code; all-or-nothing)",
)
def import_sites(uow: UowDep, file: Annotated[UploadFile, File()]) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_sites(uow, name, data)
    uow.commit()
    return result


@router.get("/org/sites/{site_id}", perm="org.site.read", tags=["org"], response_model=SiteRead)
def get_site(uow: UowDep, site_id: int) -> SiteRead:
    return queries.get_site(uow.session, _site_scope(uow), site_id)


@router.patch("/org/sites/{site_id}", perm="org.site.write", tags=["org"], response_model=SiteRead)
def update_site(uow: UowDep, site_id: int, body: SiteUpdate) -> SiteRead:
    service.update_site(uow, site_id, body)
    out = queries.get_site(uow.session, uow.principal.scope("org.site.write"), site_id)  # before the commit
    uow.commit()
    return out


@router.get("/org/users", perm="org.user.read", tags=["org"], response_model=Page[UserRead])
def users(uow: UowDep, page: PageDep, q: str | None = None) -> Page[UserRead]:
    items, total = queries.list_users(uow.session, uow.principal.scope("org.user.read"), q, page.limit, page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/org/users", perm="org.user.write", tags=["org"], status_code=201, response_model=UserRead)
def create_user(uow: UowDep, body: UserCreate) -> UserRead:
    user = service.create_user(uow, body)
    # the answer is read before the commit, in the scope of the route's own permission: nothing that
    # could still refuse the request comes after the write is saved
    out = queries.get_user(uow.session, uow.principal.scope("org.user.write"), user.id)
    uow.commit()
    return out


@router.post(
    "/org/users/import",
    perm="org.user.write",
    tags=["org"],
    response_model=imports.ImportResult,
    summary="Import users from CSV or XLSX (one row per role; all-or-nothing)",
)
def import_users(uow: UowDep, file: Annotated[UploadFile, File()]) -> imports.ImportResult:
    name, data = read_upload_sync(file)
    result = imports.import_users(uow, name, data)
    uow.commit()
    return result


@router.get("/org/users/{user_id}", perm="org.user.read", tags=["org"], response_model=UserRead)
def get_user(uow: UowDep, user_id: int) -> UserRead:
    return queries.get_user(uow.session, uow.principal.scope("org.user.read"), user_id)


@router.patch("/org/users/{user_id}", perm="org.user.write", tags=["org"], response_model=UserRead)
def update_user(uow: UowDep, user_id: int, body: UserUpdate) -> UserRead:
    queries.get_user(uow.session, uow.principal.scope("org.user.write"), user_id)  # scope check first
    service.update_user(uow, user_id, body)
    out = queries.get_user(uow.session, uow.principal.scope("org.user.write"), user_id)  # before the commit
    uow.commit()
    return out


@router.get("/org/api-keys", perm="org.apikey.read", tags=["org"], response_model=list[ApiKeyRead])
def api_keys(uow: UowDep) -> list[ApiKeyRead]:
    return queries.list_api_keys(uow.session, uow.principal.scope("org.apikey.read"))


@router.post(
    "/org/api-keys",
    perm="org.apikey.write",
    tags=["org"],
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Create an API key (the key is shown only in this response)",
)
def create_api_key(uow: UowDep, body: ApiKeyCreate) -> ApiKeyCreated:
    created = auth.create_api_key(uow, body)
    uow.commit()
    return created


@router.post("/org/api-keys/{key_id}/revoke", perm="org.apikey.write", tags=["org"], response_model=ApiKeyRead)
def revoke_api_key(uow: UowDep, key_id: int) -> ApiKeyRead:
    key = auth.revoke_api_key(uow, key_id)
    uow.commit()
    return ApiKeyRead.model_validate(key)

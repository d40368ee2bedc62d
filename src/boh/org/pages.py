"""Console pages of the org domain: sign-in/sign-out and the sites pages (list with live search and
filters, create, detail/edit, CSV/XLSX import with every error listed, export)."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from boh.http.deps import SESSION_COOKIE, UowDep, session_factory
from boh.http.files import ExportFormat, download, read_upload
from boh.http.i18n import gettext_ as _
from boh.http.pages import (
    N_,
    REFRESH_COOKIE,
    NavLink,
    Tile,
    blank_to_none,
    checked,
    clear_session_cookies,
    field_errors,
    flash,
    form_data,
    form_errors,
    import_errors,
    is_htmx,
    page_router,
    pager,
    redirect,
    safe_next,
    set_session_cookies,
)
from boh.http.templating import render
from boh.kernel.errors import BohError, TooManyAttempts, ValidationFailed
from boh.kernel.tenancy import Principal
from boh.kernel.uow import UnitOfWork
from boh.org import auth, imports, queries, service
from boh.org.errors import DuplicateCode, InvalidCredentials, InvalidToken, RegionNotFound, TenantRequired
from boh.org.models import Tenant
from boh.org.schemas import SiteCreate, SiteFilter, SiteKind, SiteRead, SiteUpdate, TokenPair

router = page_router()
NAV = [NavLink(N_("Sites"), "/org/sites", "org.site.read")]
PAGE_SIZE = 25
SITE_KINDS: tuple[str, ...] = get_args(SiteKind)
KIND_LABELS = {
    "store": N_("Store"),
    "dc": N_("Distribution centre"),
    "kitchen": N_("Central kitchen"),
    "office": N_("Office"),
}
WEEKDAYS = (
    ("mon", N_("Mon")),
    ("tue", N_("Tue")),
    ("wed", N_("Wed")),
    ("thu", N_("Thu")),
    ("fri", N_("Fri")),
    ("sat", N_("Sat")),
    ("sun", N_("Sun")),
)
_TEXT_FIELDS = (
    "name",
    "name_zh",
    "region_code",
    "format",
    "size_class",
    "timezone",
    "currency",
    "address",
    "city",
    "latitude",
    "longitude",
    "area_m2",
    "negative_stock",
)
_REQUIRED_ON_EDIT = ("name", "timezone", "currency", "negative_stock")
FormDep = Annotated[dict[str, str], Depends(form_data)]

_ANON = Principal(kind="system", id=0, tenant_id=0, name="anonymous")


def _anon_uow(factory: sessionmaker[Session], request_id: str | None = None) -> UnitOfWork:
    return UnitOfWork(factory, _ANON, request_id)


def _tokens(request: Request) -> auth.TokenService:
    tokens: auth.TokenService = request.app.state.tokens
    return tokens


# --- used by the console shell (boh.web.console) ------------------------------------------------------


def refresh_tokens(factory: sessionmaker[Session], tokens: auth.TokenService, raw: str) -> TokenPair | None:
    """Rotate a refresh token for the page middleware; None when it is invalid (the family may be revoked)."""
    with _anon_uow(factory) as uow:
        try:
            pair = auth.refresh(uow, tokens, raw)
        except InvalidToken:
            uow.commit()  # a reused token revokes its whole family even though the refresh fails
            return None
        uow.commit()
        return pair


def tenant_names(factory: sessionmaker[Session], tenant_id: int) -> tuple[str, str | None]:
    """The tenant's (English, Chinese) names for the layout's header."""
    with factory() as session:
        tenant = session.get(Tenant, tenant_id)
        return (tenant.name, tenant.name_zh) if tenant else ("", None)


def tiles(uow: UnitOfWork) -> list[Tile]:
    if not uow.principal.can("org.site.read"):
        return []
    _rows, total = queries.list_sites(uow.session, uow.principal.scope("org.site.read"), SiteFilter(), 1, 0)
    return [Tile(_("Sites"), total, "/org/sites")]


# --- sign in / sign out -------------------------------------------------------------------------------


def _session_response(request: Request, pair: TokenPair, target: str) -> Response:
    response = redirect(target)
    refresh_days = _tokens(request).settings.refresh_token_days
    set_session_cookies(response, request, pair.access_token, pair.refresh_token, pair.expires_in, refresh_days * 86400)
    return response


@router.get("/login", public=True)
def login_form(request: Request, next: str | None = None) -> Response:
    if getattr(request.state, "principal", None) is not None:
        return redirect(safe_next(next))
    ctx = {"next": safe_next(next), "username": "", "tenant": "", "error": None, "ask_tenant": _ask_tenant(request)}
    return render(request, "org/login.html", ctx)


def _ask_tenant(request: Request) -> bool:
    """Whether the sign-in form asks for the company: usernames are unique per tenant only."""
    with session_factory(request)() as session:
        return auth.hosts_several_tenants(session)


@router.post("/login", public=True)
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    tenant: Annotated[str, Form()] = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    error, status = None, 200
    with _anon_uow(session_factory(request), getattr(request.state, "request_id", None)) as uow:
        try:
            pair = auth.login(
                uow,
                _tokens(request),
                username=username.strip(),
                password=password,
                client=client,
                tenant=tenant.strip() or None,
            )
            uow.commit()
        except TenantRequired:
            error, status = _("Enter your company code, or sign in as username@COMPANY."), 401
        except InvalidCredentials:
            uow.commit()  # keep the failed-attempt count
            error, status = _("Wrong username or password."), 401
        except TooManyAttempts:
            error, status = _("Too many failed sign-ins. Wait a few minutes and try again."), 429
    if error is not None:
        ctx: dict[str, Any] = {"next": safe_next(next), "username": username, "tenant": tenant, "error": error}
        ctx["ask_tenant"] = bool(tenant) or _ask_tenant(request)
        return render(request, "org/login.html", ctx, status_code=status)
    return _session_response(request, pair, safe_next(next))


@router.post("/logout", public=True)
def logout(request: Request) -> Response:
    raw, access = request.cookies.get(REFRESH_COOKIE), None
    try:  # the session of the access cookie ends too (a console that lost its refresh cookie)
        access = _tokens(request).decode(request.cookies.get(SESSION_COOKIE) or "")
    except InvalidToken:
        access = None
    if raw or access:
        with _anon_uow(session_factory(request)) as uow:
            auth.logout(uow, raw, access=access)
            uow.commit()
    response = redirect("/login")
    clear_session_cookies(response, request)
    flash(response, _("You have signed out."), "info")
    return response


# --- sites: list --------------------------------------------------------------------------------------


def _site_filter(q: str | None, kind: str | None, region_id: str | None, status: str | None) -> SiteFilter:
    return SiteFilter(
        q=(q or "").strip() or None,
        kind=kind if kind in SITE_KINDS else None,  # type: ignore[arg-type]
        region_id=int(region_id) if region_id and region_id.isdigit() else None,
        active={"active": True, "inactive": False}.get(status or ""),
    )


@router.get("/org/sites", perm="org.site.read")
def sites_list(
    request: Request,
    uow: UowDep,
    q: str | None = None,
    kind: str | None = None,
    region_id: str | None = None,
    status: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    f = _site_filter(q, kind, region_id, status)
    scope = uow.principal.scope("org.site.read")
    sites, total = queries.list_sites(uow.session, scope, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    params = {"q": f.q, "kind": f.kind, "region_id": f.region_id, "status": status}
    ctx = {
        "sites": sites,
        "filters": params,
        "pager": pager(total, page, PAGE_SIZE, params),
        "regions": queries.list_regions(uow.session, scope),
        "kinds": KIND_LABELS,
        "can_write": uow.principal.can("org.site.write"),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "site-results":
        return render(request, "org/_sites_results.html", ctx)
    return render(request, "org/sites_list.html", ctx)


@router.get("/org/sites/export", perm="org.site.read")
def sites_export(uow: UowDep, format: Annotated[ExportFormat, Query()] = "csv") -> Response:
    return download(imports.export_sites(uow, format), format, "sites")


# --- sites: create and edit ---------------------------------------------------------------------------


def _site_payload(data: dict[str, str]) -> dict[str, Any]:
    payload = blank_to_none(data, *_TEXT_FIELDS)
    payload["active"] = checked(data, "active")
    payload["opening_hours"] = {
        day: [p.strip() for p in data.get(f"hours_{day}", "").split(",") if p.strip()]
        for day, _label in WEEKDAYS
        if data.get(f"hours_{day}", "").strip()
    }
    payload["receiving_days"] = [day for day, _label in WEEKDAYS if checked(data, f"receive_{day}")]
    return payload


def _form_values(site: SiteRead | None, data: dict[str, str] | None = None) -> dict[str, Any]:
    """What the form inputs show: the submitted text after an error, else the stored site."""
    if data is not None:
        return {**data, "active": checked(data, "active")}
    if site is None:
        return {
            "timezone": "Asia/Shanghai",
            "currency": "CNY",
            "country": "CN",
            "kind": "store",
            "negative_stock": "flag",
            "active": True,
        }
    values: dict[str, Any] = {
        f: ("" if getattr(site, f, None) is None else str(getattr(site, f, "")))
        for f in (*_TEXT_FIELDS, "code", "kind", "country")
    }
    values["active"] = site.active
    for day, _label in WEEKDAYS:
        values[f"hours_{day}"] = ", ".join(site.opening_hours.get(day, []))
        values[f"receive_{day}"] = day in site.receiving_days
    return values


def _service_errors(exc: BohError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return field_errors(exc.errors)
    if isinstance(exc, DuplicateCode):
        return {"code": _("This code is already used by another site.")}
    if isinstance(exc, RegionNotFound):
        return {"region_code": _("Unknown region.")}
    raise exc


def _form_page(
    request: Request,
    uow: UnitOfWork,
    site: SiteRead | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    ctx = {
        "site": site,
        "values": values,
        "errors": errors,
        "regions": queries.list_regions(uow.session, uow.principal.scope("org.site.read")),
        "kinds": KIND_LABELS,
        "weekdays": WEEKDAYS,
        "can_write": uow.principal.can("org.site.write"),
    }
    return render(request, "org/site_form.html", ctx, status_code=status)


@router.get("/org/sites/new", perm="org.site.write")
def site_new(request: Request, uow: UowDep) -> HTMLResponse:
    return _form_page(request, uow, None, _form_values(None), {})


@router.post("/org/sites/new", perm="org.site.write")
def site_create(request: Request, uow: UowDep, data: FormDep) -> Response:
    payload = {k: v for k, v in _site_payload(data).items() if v is not None}
    payload.update({k: data[k] for k in ("code", "kind", "country") if data.get(k)})
    try:
        site = service.create_site(uow, SiteCreate.model_validate(payload))
    except ValidationError as exc:
        return _form_page(request, uow, None, _form_values(None, data), form_errors(exc), 422)
    except (ValidationFailed, DuplicateCode, RegionNotFound) as exc:
        return _form_page(request, uow, None, _form_values(None, data), _service_errors(exc), 422)
    uow.commit()
    response = redirect(f"/org/sites/{site.id}")
    flash(response, _("Site %(code)s created.") % {"code": site.code})
    return response


@router.get("/org/sites/import", perm="org.site.write")
def sites_import_form(request: Request) -> HTMLResponse:
    return render(request, "org/sites_import.html", {"errors": None, "columns": imports.SITE_COLUMNS})


def _run_import(request: Request, uow: UnitOfWork, name: str, data: bytes) -> Response:
    try:
        result = imports.import_sites(uow, name, data)
    except ValidationFailed as exc:
        ctx = {
            "errors": import_errors(exc.errors),
            "detail": exc.detail,
            "filename": name,
            "columns": imports.SITE_COLUMNS,
        }
        return render(request, "org/sites_import.html", ctx, status_code=422)
    uow.commit()
    response = redirect("/org/sites")
    flash(
        response,
        _("Import finished: %(created)s created, %(updated)s updated.")
        % {"created": result.created, "updated": result.updated},
    )
    return response


@router.post("/org/sites/import", perm="org.site.write")
async def sites_import(request: Request, uow: UowDep, file: Annotated[UploadFile | None, File()] = None) -> Response:
    if file is None or not file.filename:
        ctx = {"errors": None, "columns": imports.SITE_COLUMNS, "missing_file": True}
        return render(request, "org/sites_import.html", ctx, status_code=422)
    name, data = await read_upload(file)
    return await run_in_threadpool(_run_import, request, uow, name, data)


@router.get("/org/sites/{site_id}", perm="org.site.read")
def site_detail(request: Request, uow: UowDep, site_id: int) -> HTMLResponse:
    site = queries.get_site(uow.session, uow.principal.scope("org.site.read"), site_id)
    return _form_page(request, uow, site, _form_values(site), {})


def _site_update(data: dict[str, str]) -> tuple[SiteUpdate | None, dict[str, str]]:
    payload = _site_payload(data)
    errors = {f: _("This value is required") for f in _REQUIRED_ON_EDIT if not payload.get(f)}
    for f in _REQUIRED_ON_EDIT:
        if payload.get(f) is None:
            payload.pop(f)
    try:
        update = SiteUpdate.model_validate(payload)
    except ValidationError as exc:
        return None, {**form_errors(exc), **errors}
    return (None if errors else update), errors


@router.post("/org/sites/{site_id}", perm="org.site.write")
def site_update(request: Request, uow: UowDep, site_id: int, data: FormDep) -> Response:
    site = queries.get_site(uow.session, uow.principal.scope("org.site.read"), site_id)
    update, errors = _site_update(data)
    if update is not None:
        try:
            service.update_site(uow, site_id, update)
        except (ValidationFailed, RegionNotFound) as exc:
            errors = _service_errors(exc)
    if update is None or errors:
        values = {**_form_values(site, data), "code": site.code, "kind": site.kind}
        return _form_page(request, uow, site, values, errors, 422)
    uow.commit()
    response = redirect(f"/org/sites/{site_id}")
    flash(response, _("Site %(code)s saved.") % {"code": site.code})
    return response

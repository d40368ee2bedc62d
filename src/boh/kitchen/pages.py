"""Console pages of the kitchen domain, usable on a phone at the kitchen: the kitchen home (recipes with
cost and allergens, batches, plans, sales without a recipe), the recipe editor (draft lines, publish, cost
card, what-if), production plans (solve from pasted demand rows, runs by day with a start-batch button, the
conflicts of an infeasible plan in words), the batch screen (record actual output, waste, lot) and the usage
variance of a store (theoretical vs actual usage per ingredient over a period, the variance's value charted)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from boh.catalog.api import get_item_ref, item_by_sku
from boh.http.charts import Chart, Series
from boh.http.deps import UowDep
from boh.http.i18n import current_locale
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, NavLink, flash, form_data, form_errors, page_router, redirect
from boh.http.templating import render
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.uow import UnitOfWork
from boh.kitchen import queries
from boh.kitchen.schemas import BatchCreate, BatchRecord, PlanCreate, RecipeCreate, RecipeUpdate
from boh.kitchen.service import batches, plans, recipes
from boh.org.api import get_site_ref, site_points

router = page_router("/kitchen")
USAGE = "kitchen.usage.read"
NAV = [NavLink(N_("Kitchen"), "/kitchen/", recipes.READ)]
FormDep = Annotated[dict[str, str], Depends(form_data)]
WASTE_REASONS = {"spilt": N_("Spilt"), "burnt": N_("Burnt"), "failed_check": N_("Failed a check"),
                 "trim": N_("Trim beyond plan")}  # fmt: skip
ALLERGENS = {
    "celery": N_("Celery"), "gluten": N_("Gluten"), "crustaceans": N_("Crustaceans"), "eggs": N_("Eggs"),
    "fish": N_("Fish"), "lupin": N_("Lupin"), "milk": N_("Milk"), "molluscs": N_("Molluscs"),
    "mustard": N_("Mustard"), "nuts": N_("Tree nuts"), "peanuts": N_("Peanuts"), "sesame": N_("Sesame"),
    "soybeans": N_("Soybeans"), "sulphites": N_("Sulphites"),
}  # fmt: skip
STATUSES = {"optimal": N_("Optimal"), "feasible": N_("Feasible"), "infeasible": N_("Infeasible"),
            "unknown": N_("No plan found in time"), "open": N_("Open"), "done": N_("Done")}  # fmt: skip


def _site(uow: UnitOfWork, request: Request, perm: str) -> tuple[int | None, list[Any]]:
    sites = site_points(uow.session, uow.principal.scope(perm))
    wanted = request.query_params.get("site_id")
    ids = {s.id for s in sites}
    if wanted and wanted.isdigit() and int(wanted) in ids:
        return int(wanted), sites
    kitchens = [s.id for s in sites if s.kind == "kitchen"]
    return (kitchens[0] if kitchens else (sites[0].id if sites else None)), sites


@router.get("/", perm=recipes.READ)
def home(request: Request, uow: UowDep) -> HTMLResponse:
    p = uow.principal
    site_id, sites = _site(uow, request, recipes.READ)
    rows = []
    for r in queries.list_recipes(uow.session, p.scope(recipes.READ)):
        card = queries.card(uow.session, p.scope(recipes.READ), r.id, site_id) if site_id and r.latest_version else None
        rows.append((r, card))
    ctx = {
        "rows": rows, "sites": sites, "site_id": site_id, "statuses": STATUSES, "allergen_labels": ALLERGENS,
        "batches": queries.list_batches(uow.session, p.scope(batches.READ), 20) if p.can(batches.READ) else [],
        "plans": queries.list_plans(uow.session, p.scope(plans.READ), 10) if p.can(plans.READ) else [],
        "unmapped": queries.unmapped(uow.session, p.scope(USAGE)) if p.can(USAGE) else [],
        "can": {"write": p.can(recipes.WRITE), "plan": p.can(plans.WRITE), "usage": p.can(USAGE)},
    }  # fmt: skip
    return render(request, "kitchen/home.html", ctx)


@router.post("/recipes", perm=recipes.WRITE)
def create_recipe(uow: UowDep, data: FormDep) -> Response:
    ref = item_by_sku(uow.session, uow.tenant_id, data.get("sku", ""))
    if ref is None:
        response = redirect("/kitchen/")
        flash(response, _("Unknown SKU: %(sku)s") % {"sku": data.get("sku", "")}, "error")
        return response
    try:
        row = recipes.create(
            uow,
            RecipeCreate.model_validate(
                {
                    "item_id": ref.id,
                    "definition": {
                        "yield_qty": data.get("yield_qty") or "1",
                        "lines": [{"item_id": ref.id, "quantity": "1"}],
                    },
                }
            ),
        )
    except (ValidationError, BohError):
        uow.rollback()
        response = redirect("/kitchen/")
        flash(response, _("The item already has a recipe, or its unit is unknown."), "error")
        return response
    row.draft = {**row.draft, "lines": []}  # start empty: the editor adds the lines
    uow.commit()
    return redirect(f"/kitchen/recipes/{row.id}")


def _recipe_page(request: Request, uow: UnitOfWork, recipe_id: int, errors: dict[str, str], what_if: Any = None,
                 status: int = 200) -> HTMLResponse:  # fmt: skip
    p = uow.principal
    site_id, sites = _site(uow, request, recipes.READ)
    row = recipes.get(uow.session, uow.tenant_id, recipe_id)
    card = queries.card(uow.session, p.scope(recipes.READ), recipe_id, site_id) if site_id else None
    lines = []
    for ln in row.draft.get("lines", []):
        ref = get_item_ref(uow.session, uow.tenant_id, int(ln["item_id"]))
        lines.append({**ln, "sku": ref.sku, "name": ref.name_en, "base_uom": ref.base_uom})
    ctx = {"recipe": queries.recipe_read(uow.session, row), "draft": row.draft, "lines": lines, "card": card,
           "sites": sites, "site_id": site_id, "errors": errors, "what_if": what_if,
           "can_write": p.can(recipes.WRITE), "allergen_labels": ALLERGENS}  # fmt: skip
    return render(request, "kitchen/recipe.html", ctx, status_code=status)


@router.get("/recipes/{recipe_id}", perm=recipes.READ)
def recipe_page(request: Request, uow: UowDep, recipe_id: int) -> HTMLResponse:
    return _recipe_page(request, uow, recipe_id, {})


def _definition(uow: UnitOfWork, data: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The draft from the editor's form: line rows ``sku_N``, ``qty_N``, ``uom_N``, ``loss_N``."""
    errors: dict[str, str] = {}
    lines = []
    for n in range(40):
        sku = data.get(f"sku_{n}", "")
        if not sku:
            continue
        ref = item_by_sku(uow.session, uow.tenant_id, sku)
        if ref is None:
            errors[f"sku_{n}"] = _("Unknown SKU: %(sku)s") % {"sku": sku}
            continue
        lines.append({"item_id": ref.id, "quantity": data.get(f"qty_{n}") or "0", "uom": data.get(f"uom_{n}") or None,
                      "loss_pct": data.get(f"loss_{n}") or "0"})  # fmt: skip
    d = {"yield_qty": data.get("yield_qty") or "1", "yield_uom": data.get("yield_uom") or None, "lines": lines,
         "stocked": data.get("stocked") == "on", "station": data.get("station") or None,
         "minutes_per_batch": data.get("minutes_per_batch") or 0,
         "shelf_life_days": data.get("shelf_life_days") or None}  # fmt: skip
    return d, errors


@router.post("/recipes/{recipe_id}", perm=recipes.WRITE)
def save_recipe(request: Request, uow: UowDep, recipe_id: int, data: FormDep) -> Response:
    definition, errors = _definition(uow, data)
    if not errors:
        try:
            recipes.update(uow, recipe_id, RecipeUpdate.model_validate({"definition": definition}))
            if data.get("publish") == "1":
                recipes.publish(uow, recipe_id)
        except ValidationError as exc:
            errors = form_errors(exc)
        except BohError as exc:
            uow.rollback()
            errors = {"__all__": exc.detail}
    if errors:
        return _recipe_page(request, uow, recipe_id, errors, status=422)
    uow.commit()
    response = redirect(f"/kitchen/recipes/{recipe_id}?site_id={data.get('site_id', '')}")
    flash(response, _("Recipe published.") if data.get("publish") == "1" else _("Draft saved."))
    return response


@router.post("/recipes/{recipe_id}/what-if", perm=recipes.READ)
def what_if(request: Request, uow: UowDep, recipe_id: int, data: FormDep) -> HTMLResponse:
    ref = item_by_sku(uow.session, uow.tenant_id, data.get("sku", ""))
    site_id, _sites = _site(uow, request, recipes.READ)
    try:
        price = Decimal(data.get("price", ""))
    except InvalidOperation:
        price = Decimal(-1)
    if ref is None or price < 0 or site_id is None:
        return _recipe_page(request, uow, recipe_id, {"what_if": _("Give a known SKU and a price.")}, status=422)
    result = queries.what_if(uow.session, uow.principal.scope(recipes.READ), recipe_id, site_id, {ref.id: price})
    return _recipe_page(request, uow, recipe_id, {}, {"sku": ref.sku, "price": price, "result": result})


# --- plans ------------------------------------------------------------------------------------------------


def _demand(uow: UnitOfWork, text: str, errors: dict[str, str]) -> list[dict[str, object]]:
    """Rows ``SKU, delivery date, quantity`` (one per line)."""
    rows = []
    for n, line in enumerate(text.splitlines()):
        parts = [x.strip() for x in line.replace(";", ",").split(",")]
        if not line.strip():
            continue
        ref = item_by_sku(uow.session, uow.tenant_id, parts[0]) if len(parts) == 3 else None
        if ref is None:
            errors["demand"] = _("Line %(n)s: give SKU, delivery date, quantity") % {"n": n + 1}
            continue
        rows.append({"item_id": ref.id, "delivery_date": parts[1], "quantity": parts[2]})
    return rows


@router.post("/plans", perm=plans.WRITE)
def create_plan(request: Request, uow: UowDep, data: FormDep) -> Response:
    errors: dict[str, str] = {}
    demand = _demand(uow, data.get("demand", ""), errors)
    capacity = {}
    for part in data.get("capacity", "").split(","):
        name, _sep, minutes = part.strip().partition("=")
        if name and minutes.strip().isdigit():
            capacity[name.strip()] = int(minutes)
    try:
        body = PlanCreate.model_validate({"site_id": data.get("site_id"), "start": data.get("start"),
                                          "capacity": capacity, "demand": demand, "time_limit_s": 10})  # fmt: skip
    except ValidationError:
        errors["plan"] = _("Give the kitchen, the first day, stations as name=minutes and demand rows.")
    if errors:
        response = redirect("/kitchen/")
        flash(response, next(iter(errors.values())), "error")
        return response
    row = plans.create(uow, body)
    uow.commit()
    return redirect(f"/kitchen/plans/{row.id}")


@router.get("/plans/{production_plan_id}", perm=plans.READ)
def plan_page(request: Request, uow: UowDep, production_plan_id: int) -> HTMLResponse:
    row = plans.get(uow, production_plan_id)
    days: dict[str, list[dict[str, Any]]] = {(row.start + timedelta(days=d)).isoformat(): [] for d in range(row.days)}
    for ln in row.lines:
        days.setdefault(ln["day"], []).append(ln)
    ctx = {"plan": row, "days": days, "statuses": STATUSES, "can_batch": uow.principal.can(batches.WRITE)}
    return render(request, "kitchen/plan.html", ctx)


# --- batches ----------------------------------------------------------------------------------------------


@router.post("/batches", perm=batches.WRITE)
def open_batch(uow: UowDep, data: FormDep) -> Response:
    try:
        row = batches.open_batch(uow, BatchCreate.model_validate({
            "site_id": data.get("site_id"), "item_id": data.get("item_id"), "planned_qty": data.get("planned_qty"),
            "plan_id": data.get("plan_id") or None}))  # fmt: skip
    except (ValidationError, BohError):
        uow.rollback()
        response = redirect("/kitchen/")
        flash(response, _("The batch could not be opened."), "error")
        return response
    uow.commit()
    return redirect(f"/kitchen/batches/{row.id}")


def _batch_page(request: Request, uow: UnitOfWork, batch_id: int, errors: dict[str, str], status: int = 200
                ) -> HTMLResponse:  # fmt: skip
    row = batches.get(uow, batch_id)
    read = queries.batch_read(uow.session, row)
    names = {}
    for part in ("inputs", "outputs", "waste"):
        for x in read.record.get(part, []):
            names[x["item_id"]] = get_item_ref(uow.session, uow.tenant_id, x["item_id"]).sku
    ctx = {"batch": read, "names": names, "errors": errors, "reasons": WASTE_REASONS, "statuses": STATUSES,
           "can_write": uow.principal.can(batches.WRITE), "key": uuid.uuid4().hex}  # fmt: skip
    return render(request, "kitchen/batch.html", ctx, status_code=status)


@router.get("/batches/{batch_id}", perm=batches.READ)
def batch_page(request: Request, uow: UowDep, batch_id: int) -> HTMLResponse:
    return _batch_page(request, uow, batch_id, {})


@router.post("/batches/{batch_id}", perm=batches.WRITE)
def record_batch(request: Request, uow: UowDep, batch_id: int, data: FormDep) -> Response:
    row = batches.get(uow, batch_id)
    waste = []
    if data.get("waste_qty"):
        waste.append({"item_id": row.item_id, "quantity": data["waste_qty"], "reason_code": data.get("waste_reason")})
    try:
        batches.record(uow, batch_id, BatchRecord.model_validate({
            "actual_qty": data.get("actual_qty"), "waste": waste, "lot_code": data.get("lot_code") or None,
            "idempotency_key": data.get("key") or uuid.uuid4().hex}))  # fmt: skip
    except ValidationError as exc:
        return _batch_page(request, uow, batch_id, form_errors(exc), 422)
    except BohError as exc:
        uow.rollback()
        return _batch_page(request, uow, batch_id, {"__all__": exc.detail}, exc.status)
    uow.commit()
    response = redirect(f"/kitchen/batches/{batch_id}")
    flash(response, _("Batch recorded: the lot is in stock."))
    return response


def default_start() -> date:
    today = utcnow().date()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _usage_chart(rows: list[Any], currency: str, zh: bool) -> Chart:
    """The ten largest variances by value (losses and gains), largest first."""
    top = sorted(rows, key=lambda r: -abs(r.variance_value))[:10]
    names = [f"{r.sku} {r.name_zh if zh and r.name_zh else r.name}" for r in top]
    return Chart(
        "usage-variance", _("Variance by ingredient (value)"), names,
        [Series(_("Variance value"), [r.variance_value for r in top])], kind="bar", unit=currency,
        category_label=_("Ingredient"),
    )  # fmt: skip


@router.get("/usage", perm=USAGE)
def usage_page(request: Request, uow: UowDep, start: str | None = None, end: str | None = None) -> HTMLResponse:
    """A store's theoretical vs actual usage over a period: what the recipes say its sales used against what
    left its stock (opening + receipts - closing, counts included), the variance per ingredient in units and
    value, largest loss first, so a manager sees over-portioning, waste and shrink."""
    scope = uow.principal.scope(USAGE)
    stores = [s for s in site_points(uow.session, scope) if s.kind == "store"]
    wanted = request.query_params.get("site_id")
    site = next((s for s in stores if wanted and str(s.id) == wanted), stores[0] if stores else None)
    to = _day(end, utcnow().date())
    since = _day(start, to - timedelta(days=6))
    errors: dict[str, str] = {}
    if since > to:
        errors["start"] = _("The first day must not be after the last day.")
    elif (to - since).days > 92:
        errors["start"] = _("Choose a period of at most 93 days.")
    rows = queries.usage(uow.session, scope, site.id, since, to) if site and not errors else []
    currency = get_site_ref(uow.session, scope, site.id).currency if site else ""
    zh = current_locale.get().startswith("zh")
    ctx = {
        "stores": stores, "site": site, "start": since, "end": to, "rows": rows, "errors": errors,
        "currency": currency, "chart": _usage_chart(rows, currency, zh) if rows else None,
        "total": sum((r.variance_value for r in rows), Decimal(0)),
        "loss": sum((r.variance_value for r in rows if r.variance_value > 0), Decimal(0)),
    }  # fmt: skip
    return render(request, "kitchen/usage.html", ctx, status_code=422 if errors else 200)

"""The replenishment settings page (/replenishment/settings): policies, sourcing rules and budgets in tables
with add and edit forms, and the approval thresholds. The forms call ``service.config``; a refused form comes
back with every field in question named in one message."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from boh.catalog import api as catalog
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, checked, flash, form_data, redirect
from boh.http.templating import render
from boh.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org import api as org
from boh.replenishment import queries
from boh.replenishment.domain import WEEKDAYS
from boh.replenishment.pages.views import router
from boh.replenishment.service import RULES, config

FormDep = Annotated[dict[str, str], Depends(form_data)]
HERE = "/replenishment/settings"
METHODS = {"order_up_to": N_("Order up to (forecast + safety stock)"), "min_max": N_("Min / max"),
           "fixed_qty": N_("Fixed quantity")}  # fmt: skip
SOURCES = {"supplier": N_("Supplier"), "site": N_("Another site (DC)")}
DAY_NAMES = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"),
             "sat": N_("Sat"), "sun": N_("Sun")}  # fmt: skip
FIELDS = {"name": N_("Name"), "site_id": N_("Site"), "category_id": N_("Category"), "item_class": N_("Item class"),
          "method": N_("Method"), "service_level": N_("Service level"), "review_days": N_("Review period (days)"),
          "fixed_qty": N_("Fixed quantity"), "tolerance_pct": N_("Tolerance (%)"), "region_id": N_("Region"),
          "item_id": N_("Item (SKU)"), "source": N_("Source"), "supplier_id": N_("Supplier"),
          "from_site_id": N_("From site"), "lead_time_days": N_("Lead time (days)"), "order_days": N_("Order days"),
          "amount": N_("Amount"), "currency": N_("Currency"), "level2_amount": N_("Second approval above amount"),
          "level2_deviation_pct": N_("Second approval above deviation (%)"),
          "escalate_hours": N_("Escalate after (hours)")}  # fmt: skip


@router.get("/settings", perm=RULES)
def settings_page(request: Request, uow: UowDep) -> HTMLResponse:
    s, t = uow.session, uow.tenant_id
    mine = org.site_points(s, uow.principal.scope(RULES))
    every = org.site_points(s, Scope(t))
    cats = queries.categories(s, t)
    rules = config.sourcing_rules(uow)
    item_ids = [r.item_id for r in rules if r.item_id is not None]
    suppliers, regions = catalog.supplier_refs(s, t), org.region_refs(s, t)
    ctx: dict[str, Any] = {
        "policies": config.policies(uow), "sourcing": rules, "budgets": config.budgets(uow),
        "settings": config.read_settings(uow), "hq": uow.principal.scope(RULES).all_sites,
        "my_sites": mine, "site_codes": {p.id: p.code for p in every}, "sites_all": every,
        "regions": regions, "categories": cats, "category_codes": {x.id: x.code for x in cats},
        "suppliers": suppliers, "items": catalog.items_by_ids(s, t, item_ids),
        "methods": METHODS, "sources": SOURCES, "weekdays": WEEKDAYS, "day_names": DAY_NAMES,
    }  # fmt: skip
    ctx.update(_editing(uow, request.query_params.get("edit", "")))
    ctx["supplier_codes"] = {x.id: x.code for x in suppliers}
    ctx["region_codes"] = {x.id: x.code for x in regions}
    return render(request, "replenishment/settings.html", ctx)


def _editing(uow: UnitOfWork, edit: str) -> dict[str, Any]:
    """``?edit=policy:3`` (or sourcing:, budget:) opens that record's form under its table."""
    kind, _sep, raw = edit.partition(":")
    out: dict[str, Any] = {"edit_policy": None, "edit_sourcing": None, "edit_budget": None}
    if not raw.isdigit():
        return out
    if kind == "policy":
        out["edit_policy"] = config.get_policy(uow, int(raw))
    elif kind == "sourcing":
        out["edit_sourcing"] = config.get_sourcing(uow, int(raw))
    elif kind == "budget":
        out["edit_budget"] = config.get_budget(uow, int(raw))
    return out


# --- form parsing ------------------------------------------------------------------------------------------


class _Form:
    """Typed values of a submitted form; what cannot be read is an error of its field."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str | None:
        return self.data.get(name) or None

    def int_(self, name: str) -> int | None:
        raw = self.data.get(name, "")
        if not raw:
            return None
        if not raw.isdigit():
            self.errors.append(FieldError((name,), "a whole number"))
            return None
        return int(raw)

    def dec(self, name: str) -> Decimal | None:
        raw = self.data.get(name, "").replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.errors.append(FieldError((name,), "a number"))
            return None
        if not value.is_finite():
            self.errors.append(FieldError((name,), "a number"))
            return None
        return value


def _policy(data: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    f = _Form(data)
    out = {"name": f.text("name"), "site_id": f.int_("site_id"), "category_id": f.int_("category_id"),
           "item_class": f.text("item_class"), "method": f.text("method"), "service_level": f.dec("service_level"),
           "review_days": f.int_("review_days"), "fixed_qty": f.dec("fixed_qty"),
           "shelf_life_cap": checked(data, "shelf_life_cap"), "tolerance_pct": f.dec("tolerance_pct")}  # fmt: skip
    return out, f.errors


def _sourcing(uow: UnitOfWork, data: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    f = _Form(data)
    sku = f.text("sku")
    item_id = None
    if sku:
        ref = catalog.item_by_sku(uow.session, uow.tenant_id, sku)
        if ref is None:
            f.errors.append(FieldError(("item_id",), f"unknown SKU {sku}", "not_found"))
        else:
            item_id = ref.id
    days = [d for d in WEEKDAYS if data.get(f"day_{d}")]
    out = {"site_id": f.int_("site_id"), "region_id": f.int_("region_id"), "item_id": item_id,
           "category_id": f.int_("category_id"), "source": f.text("source"),
           "supplier_id": f.int_("supplier_id") if data.get("source") == "supplier" else None,
           "from_site_id": f.int_("from_site_id") if data.get("source") == "site" else None,
           "lead_time_days": f.int_("lead_time_days"), "order_days": days}  # fmt: skip
    return out, f.errors


def _budget(data: dict[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
    f = _Form(data)
    out = {"site_id": f.int_("site_id"), "category_id": f.int_("category_id"), "amount": f.dec("amount"),
           "currency": f.text("currency")}  # fmt: skip
    return out, f.errors


def _refused(errors: list[FieldError]) -> Response:
    names = sorted({str(e.loc[-1]) for e in errors})
    labels = ", ".join(_(FIELDS[n]) if n in FIELDS else n for n in names)
    response = redirect(HERE)
    flash(response, _("Not saved. Check: %(fields)s") % {"fields": labels}, "error")
    return response


def _saved(message: str, anchor: str) -> Response:
    response = redirect(f"{HERE}#{anchor}")
    flash(response, message)
    return response


def _save(uow: UnitOfWork, parse_errors: list[FieldError], validate: Any, write: Any) -> list[FieldError] | None:
    """Run ``write`` when the form parsed; otherwise the parse errors and the service's own, all at once."""
    try:
        if parse_errors:
            return parse_errors + [e for e in validate() if e.loc not in {p.loc for p in parse_errors}]
        write()
        uow.commit()
    except ValidationFailed as exc:
        return list(exc.errors)
    return None


# --- policies ----------------------------------------------------------------------------------------------


@router.post("/settings/policies", perm=RULES)
def add_policy(uow: UowDep, data: FormDep) -> Response:
    values, errs = _policy(data)
    bad = _save(uow, errs, lambda: config.validate_policy(uow, values), lambda: config.create_policy(uow, values))
    return _refused(bad) if bad else _saved(_("Policy added."), "policies")


@router.post("/settings/policies/{policy_id}", perm=RULES)
def edit_policy(uow: UowDep, policy_id: int, data: FormDep) -> Response:
    config.get_policy(uow, policy_id, write=True)  # another tenant's or site's policy: 404 before anything else
    values, errs = _policy(data)
    bad = _save(uow, errs, lambda: config.validate_policy(uow, values),
                lambda: config.update_policy(uow, policy_id, values))  # fmt: skip
    return _refused(bad) if bad else _saved(_("Policy saved."), "policies")


@router.post("/settings/policies/{policy_id}/deactivate", perm=RULES)
def deactivate_policy(uow: UowDep, policy_id: int) -> Response:
    config.deactivate_policy(uow, policy_id)
    uow.commit()
    return _saved(_("Policy deactivated."), "policies")


# --- sourcing rules ----------------------------------------------------------------------------------------


@router.post("/settings/sourcing", perm=RULES)
def add_sourcing(uow: UowDep, data: FormDep) -> Response:
    values, errs = _sourcing(uow, data)
    bad = _save(uow, errs, lambda: config.validate_sourcing(uow, values),
                lambda: config.create_sourcing(uow, values))  # fmt: skip
    return _refused(bad) if bad else _saved(_("Sourcing rule added."), "sourcing")


@router.post("/settings/sourcing/{sourcing_id}", perm=RULES)
def edit_sourcing(uow: UowDep, sourcing_id: int, data: FormDep) -> Response:
    config.get_sourcing(uow, sourcing_id, write=True)
    values, errs = _sourcing(uow, data)
    bad = _save(uow, errs, lambda: config.validate_sourcing(uow, values),
                lambda: config.update_sourcing(uow, sourcing_id, values))  # fmt: skip
    return _refused(bad) if bad else _saved(_("Sourcing rule saved."), "sourcing")


@router.post("/settings/sourcing/{sourcing_id}/delete", perm=RULES)
def delete_sourcing(uow: UowDep, sourcing_id: int) -> Response:
    config.delete_sourcing(uow, sourcing_id)
    uow.commit()
    return _saved(_("Sourcing rule removed."), "sourcing")


# --- budgets -----------------------------------------------------------------------------------------------


@router.post("/settings/budgets", perm=RULES)
def add_budget(uow: UowDep, data: FormDep) -> Response:
    values, errs = _budget(data)
    bad = _save(uow, errs, lambda: config.validate_budget(uow, values), lambda: config.create_budget(uow, values))
    return _refused(bad) if bad else _saved(_("Budget added."), "budgets")


@router.post("/settings/budgets/{budget_id}", perm=RULES)
def edit_budget(uow: UowDep, budget_id: int, data: FormDep) -> Response:
    config.get_budget(uow, budget_id)
    values, errs = _budget(data)
    bad = _save(uow, errs, lambda: config.validate_budget(uow, values | {"id": budget_id}),
                lambda: config.update_budget(uow, budget_id, values))  # fmt: skip
    return _refused(bad) if bad else _saved(_("Budget saved."), "budgets")


@router.post("/settings/budgets/{budget_id}/delete", perm=RULES)
def delete_budget(uow: UowDep, budget_id: int) -> Response:
    config.delete_budget(uow, budget_id)
    uow.commit()
    return _saved(_("Budget removed."), "budgets")


# --- approval settings -------------------------------------------------------------------------------------


@router.post("/settings/approvals", perm=RULES)
def save_approvals(uow: UowDep, data: FormDep) -> Response:
    f = _Form(data)
    values = {"level2_amount": f.dec("level2_amount"), "level2_deviation_pct": f.dec("level2_deviation_pct"),
              "escalate_hours": f.int_("escalate_hours")}  # fmt: skip
    try:
        bad = _save(uow, f.errors, lambda: config.validate_settings(values),
                    lambda: config.update_settings(uow, values))  # fmt: skip
    except PermissionDenied:
        response = redirect(HERE)
        flash(response, _("The approval settings are changed by HQ."), "error")
        return response
    return _refused(bad) if bad else _saved(_("Approval settings saved."), "approvals")

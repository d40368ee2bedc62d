"""Configuration of replenishment: policies (per site, category and ABC/XYZ class), sourcing rules (a
supplier or a DC per site/region x item/category), budgets per site (and category) and the tenant's approval
settings.

Every write checks the whole record at once (``ValidationFailed`` lists every bad field, references
included: sites and regions through ``boh.org.api``, suppliers, categories and items through
``boh.catalog.api``, all of the caller's tenant) and is audited with its before and after. A user scoped to
some sites touches only rules of those sites; rules for every site, a region, and the tenant's settings are
HQ's (``replenishment.rules`` for the whole tenant). Policies are deactivated (runs keep referring to them in
their explanations); sourcing rules and budgets have no history of their own and are deleted, with the
audit keeping what they were. The next run reads them (``run.RunContext.load``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.catalog import api as catalog
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org import api as org
from boh.replenishment import models as m
from boh.replenishment.domain import WEEKDAYS
from boh.replenishment.errors import NoSuchBudget, NoSuchPolicy, NoSuchSourcing
from boh.replenishment.service._common import RULES
from boh.replenishment.service.review import settings

METHODS = ("order_up_to", "min_max", "fixed_qty")
SOURCES = ("supplier", "site")
ITEM_CLASS = re.compile(r"^[ABC][XYZ]?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
POLICY_FIELDS = ("name", "site_id", "category_id", "item_class", "method", "service_level", "review_days",
                 "fixed_qty", "shelf_life_cap", "tolerance_pct")  # fmt: skip
SOURCING_FIELDS = ("site_id", "region_id", "item_id", "category_id", "source", "supplier_id", "from_site_id",
                   "lead_time_days", "order_days")  # fmt: skip
BUDGET_FIELDS = ("site_id", "category_id", "amount", "currency")
SETTINGS_FIELDS = ("level2_amount", "level2_deviation_pct", "escalate_hours")


def _scope(uow: UnitOfWork) -> Scope:
    return uow.principal.scope(RULES)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        v = getattr(obj, f)
        out[f] = str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, list) else v
    return out


def _touchable(uow: UnitOfWork, site_id: int | None, region_id: int | None = None) -> bool:
    """May the caller change a rule of this site (None: every site or a region)?"""
    scope = _scope(uow)
    if scope.all_sites:
        return True
    return site_id is not None and region_id is None and scope.allows_site(site_id)


def _visible(uow: UnitOfWork, site_id: int | None) -> bool:
    """A site-scoped user sees the rules of its sites and the rules for every site (they apply there too)."""
    scope = _scope(uow)
    return scope.all_sites or site_id is None or scope.allows_site(site_id)


# --- references --------------------------------------------------------------------------------------------


class _Refs:
    """Lookups of the tenant's sites, regions, categories, suppliers and items (each read at most once)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._sites: dict[int, str] | None = None

    @property
    def sites(self) -> dict[int, str]:
        if self._sites is None:
            self._sites = {p.id: p.kind for p in org.site_points(self.uow.session, Scope(self.uow.tenant_id))}
        return self._sites

    def region(self, region_id: int) -> bool:
        return region_id in {r.id for r in org.region_refs(self.uow.session, self.uow.tenant_id)}

    def category(self, category_id: int) -> bool:
        c = catalog.category_view()
        found = self.uow.session.scalar(select(c.c.id).where(c.c.tenant_id == self.uow.tenant_id,
                                                             c.c.id == category_id))  # fmt: skip
        return found is not None

    def supplier(self, supplier_id: int) -> bool:
        try:
            return catalog.get_supplier_ref(self.uow.session, self.uow.tenant_id, supplier_id).active
        except NotFound:
            return False

    def item(self, item_id: int) -> bool:
        return item_id in catalog.existing_item_ids(self.uow.session, self.uow.tenant_id, [item_id])


def _site_errors(uow: UnitOfWork, refs: _Refs, site_id: int | None, errs: list[FieldError], *,
                 required: bool = False, region_id: int | None = None) -> None:  # fmt: skip
    if site_id is None:
        if required:
            errs.append(FieldError(("site_id",), "a site is required", "missing"))
        elif not _scope(uow).all_sites:
            what = "a region" if region_id is not None else "every site"
            errs.append(FieldError(("site_id",), f"rules for {what} are HQ's: choose one of your sites", "scope"))
        return
    if site_id not in refs.sites or not _scope(uow).allows_site(site_id):
        errs.append(FieldError(("site_id",), f"unknown site {site_id}", "not_found"))


def _category_errors(refs: _Refs, category_id: int | None, errs: list[FieldError]) -> None:
    if category_id is not None and not refs.category(category_id):
        errs.append(FieldError(("category_id",), f"unknown category {category_id}", "not_found"))


def _fail(errs: list[FieldError], what: str) -> None:
    if errs:
        raise ValidationFailed(errs, f"The {what} is not valid")


# --- policies ----------------------------------------------------------------------------------------------


def validate_policy(uow: UnitOfWork, data: Mapping[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    refs = _Refs(uow)
    name = (data.get("name") or "").strip()
    if not name:
        errs.append(FieldError(("name",), "a name is required", "missing"))
    _site_errors(uow, refs, data.get("site_id"), errs)
    _category_errors(refs, data.get("category_id"), errs)
    cls = data.get("item_class")
    if cls is not None and not ITEM_CLASS.match(cls):
        errs.append(FieldError(("item_class",), "A, B or C, optionally followed by X, Y or Z (e.g. A, BZ)"))
    method = data.get("method")
    if method not in METHODS:
        errs.append(FieldError(("method",), f"one of {', '.join(METHODS)}"))
    sl = data.get("service_level")
    if sl is None or not Decimal("0.5") <= sl <= Decimal("0.999"):
        errs.append(FieldError(("service_level",), "between 0.5 and 0.999"))
    fixed = data.get("fixed_qty")
    if method == "fixed_qty" and (fixed is None or fixed <= 0):
        errs.append(FieldError(("fixed_qty",), "a quantity above 0 is required for the fixed_qty method", "missing"))
    elif fixed is not None and fixed < 0:
        errs.append(FieldError(("fixed_qty",), "0 or more"))
    review = data.get("review_days")
    if review is not None and review < 1:
        errs.append(FieldError(("review_days",), "1 day or more"))
    tol = data.get("tolerance_pct")
    if tol is None or not Decimal(0) <= tol <= Decimal(100):
        errs.append(FieldError(("tolerance_pct",), "between 0 and 100"))
    return errs


def _clean_policy(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in POLICY_FIELDS}
    out["name"] = (out["name"] or "").strip()
    out["item_class"] = (out["item_class"] or "").strip().upper() or None
    out["shelf_life_cap"] = True if out["shelf_life_cap"] is None else bool(out["shelf_life_cap"])
    return out


def policies(uow: UnitOfWork, *, include_inactive: bool = False) -> list[m.Policy]:
    stmt = select(m.Policy).where(m.Policy.tenant_id == uow.tenant_id)
    if not include_inactive:
        stmt = stmt.where(m.Policy.active.is_(True))
    return [p for p in uow.session.scalars(stmt.order_by(m.Policy.id)) if _visible(uow, p.site_id)]


def get_policy(uow: UnitOfWork, policy_id: int, *, write: bool = False) -> m.Policy:
    p = uow.session.get(m.Policy, policy_id)
    if p is None or p.tenant_id != uow.tenant_id or not _visible(uow, p.site_id):
        raise NoSuchPolicy(f"policy {policy_id} not found")
    if write and not _touchable(uow, p.site_id):
        raise PermissionDenied("policies for every site are changed by HQ")
    return p


def create_policy(uow: UnitOfWork, data: Mapping[str, Any]) -> m.Policy:
    clean = _clean_policy(data)
    _fail(validate_policy(uow, clean), "policy")
    p = m.Policy(tenant_id=uow.tenant_id, active=True, **clean)
    uow.session.add(p)
    uow.flush()
    uow.audit("replenishment.policy.create", "replenishment_policy", p.id, after=_snapshot(p, POLICY_FIELDS))
    return p


def update_policy(uow: UnitOfWork, policy_id: int, changes: Mapping[str, Any]) -> m.Policy:
    p = get_policy(uow, policy_id, write=True)
    before = _snapshot(p, POLICY_FIELDS)
    clean = _clean_policy({**{k: getattr(p, k) for k in POLICY_FIELDS}, **changes})
    _fail(validate_policy(uow, clean), "policy")
    for k, v in clean.items():
        setattr(p, k, v)
    p.updated_at = utcnow()
    uow.flush()
    uow.audit("replenishment.policy.update", "replenishment_policy", p.id, before=before,
              after=_snapshot(p, POLICY_FIELDS))  # fmt: skip
    return p


def deactivate_policy(uow: UnitOfWork, policy_id: int) -> m.Policy:
    p = get_policy(uow, policy_id, write=True)
    if p.active:
        p.active, p.updated_at = False, utcnow()
        uow.audit("replenishment.policy.deactivate", "replenishment_policy", p.id, before={"active": True},
                  after={"active": False})  # fmt: skip
    return p


# --- sourcing rules ----------------------------------------------------------------------------------------


def validate_sourcing(uow: UnitOfWork, data: Mapping[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    refs = _Refs(uow)
    site_id, region_id = data.get("site_id"), data.get("region_id")
    if site_id is not None and region_id is not None:
        errs.append(FieldError(("region_id",), "a rule is for a site or a region, not both"))
    _site_errors(uow, refs, site_id, errs, region_id=region_id)
    if region_id is not None and not refs.region(region_id):
        errs.append(FieldError(("region_id",), f"unknown region {region_id}", "not_found"))
    item_id = data.get("item_id")
    if item_id is not None and data.get("category_id") is not None:
        errs.append(FieldError(("category_id",), "a rule is for an item or a category, not both"))
    if item_id is not None and not refs.item(item_id):
        errs.append(FieldError(("item_id",), f"unknown item {item_id}", "not_found"))
    _category_errors(refs, data.get("category_id"), errs)
    source, supplier_id, from_site = data.get("source"), data.get("supplier_id"), data.get("from_site_id")
    if source not in SOURCES:
        errs.append(FieldError(("source",), "supplier or site"))
    if source == "supplier":
        if supplier_id is None:
            errs.append(FieldError(("supplier_id",), "a supplier is required for source=supplier", "missing"))
        elif not refs.supplier(supplier_id):
            errs.append(FieldError(("supplier_id",), f"unknown or inactive supplier {supplier_id}", "not_found"))
        if from_site is not None:
            errs.append(FieldError(("from_site_id",), "only for source=site"))
    if source == "site":
        if from_site is None:
            errs.append(FieldError(("from_site_id",), "the site to order from is required for source=site",
                                   "missing"))  # fmt: skip
        elif from_site not in refs.sites:
            errs.append(FieldError(("from_site_id",), f"unknown site {from_site}", "not_found"))
        elif from_site == site_id:
            errs.append(FieldError(("from_site_id",), "a site cannot order from itself"))
        if supplier_id is not None:
            errs.append(FieldError(("supplier_id",), "only for source=supplier"))
    lead = data.get("lead_time_days")
    if lead is not None and not 0 <= lead <= 365:
        errs.append(FieldError(("lead_time_days",), "between 0 and 365"))
    bad_days = [d for d in data.get("order_days") or [] if str(d).lower()[:3] not in WEEKDAYS]
    if bad_days:
        errs.append(FieldError(("order_days",), f"weekdays mon .. sun, not {', '.join(map(str, bad_days))}"))
    return errs


def _clean_sourcing(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in SOURCING_FIELDS}
    out["order_days"] = [str(d).lower()[:3] for d in out["order_days"] or []]
    return out


def sourcing_rules(uow: UnitOfWork) -> list[m.Sourcing]:
    rows = uow.session.scalars(select(m.Sourcing).where(m.Sourcing.tenant_id == uow.tenant_id).order_by(m.Sourcing.id))
    return [r for r in rows if _visible(uow, r.site_id)]


def get_sourcing(uow: UnitOfWork, sourcing_id: int, *, write: bool = False) -> m.Sourcing:
    r = uow.session.get(m.Sourcing, sourcing_id)
    if r is None or r.tenant_id != uow.tenant_id or not _visible(uow, r.site_id):
        raise NoSuchSourcing(f"sourcing rule {sourcing_id} not found")
    if write and not _touchable(uow, r.site_id, r.region_id):
        raise PermissionDenied("sourcing rules for every site or a region are changed by HQ")
    return r


def create_sourcing(uow: UnitOfWork, data: Mapping[str, Any]) -> m.Sourcing:
    clean = _clean_sourcing(data)
    _fail(validate_sourcing(uow, clean), "sourcing rule")
    r = m.Sourcing(tenant_id=uow.tenant_id, **clean)
    uow.session.add(r)
    uow.flush()
    uow.audit("replenishment.sourcing.create", "replenishment_sourcing", r.id, after=_snapshot(r, SOURCING_FIELDS))
    return r


def update_sourcing(uow: UnitOfWork, sourcing_id: int, changes: Mapping[str, Any]) -> m.Sourcing:
    r = get_sourcing(uow, sourcing_id, write=True)
    before = _snapshot(r, SOURCING_FIELDS)
    clean = _clean_sourcing({**{k: getattr(r, k) for k in SOURCING_FIELDS}, **changes})
    _fail(validate_sourcing(uow, clean), "sourcing rule")
    for k, v in clean.items():
        setattr(r, k, v)
    r.updated_at = utcnow()
    uow.flush()
    uow.audit("replenishment.sourcing.update", "replenishment_sourcing", r.id, before=before,
              after=_snapshot(r, SOURCING_FIELDS))  # fmt: skip
    return r


def delete_sourcing(uow: UnitOfWork, sourcing_id: int) -> None:
    r = get_sourcing(uow, sourcing_id, write=True)
    before = _snapshot(r, SOURCING_FIELDS)
    uow.session.delete(r)
    uow.flush()
    uow.audit("replenishment.sourcing.delete", "replenishment_sourcing", sourcing_id, before=before)


# --- budgets -----------------------------------------------------------------------------------------------


def validate_budget(uow: UnitOfWork, data: Mapping[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    refs = _Refs(uow)
    _site_errors(uow, refs, data.get("site_id"), errs, required=True)
    _category_errors(refs, data.get("category_id"), errs)
    amount = data.get("amount")
    if amount is None or amount <= 0:
        errs.append(FieldError(("amount",), "an amount above 0 is required"))
    if not CURRENCY.match(data.get("currency") or ""):
        errs.append(FieldError(("currency",), "a currency code such as CNY", "missing"))
    if not errs:
        dup = uow.session.scalar(select(m.Budget.id).where(
            m.Budget.tenant_id == uow.tenant_id, m.Budget.site_id == data["site_id"],
            m.Budget.category_id.is_(None) if data.get("category_id") is None
            else m.Budget.category_id == data["category_id"], m.Budget.id != (data.get("id") or 0)))  # fmt: skip
        if dup is not None:
            errs.append(FieldError(("category_id",), f"the site already has this budget (#{dup})", "duplicate"))
    return errs


def _clean_budget(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in BUDGET_FIELDS}
    out["currency"] = (out["currency"] or "").strip().upper()
    return out


def budgets(uow: UnitOfWork) -> list[m.Budget]:
    rows = uow.session.scalars(select(m.Budget).where(m.Budget.tenant_id == uow.tenant_id).order_by(m.Budget.id))
    return [b for b in rows if _scope(uow).allows_site(b.site_id)]


def get_budget(uow: UnitOfWork, budget_id: int) -> m.Budget:
    b = uow.session.get(m.Budget, budget_id)
    if b is None or b.tenant_id != uow.tenant_id or not _scope(uow).allows_site(b.site_id):
        raise NoSuchBudget(f"budget {budget_id} not found")
    return b


def create_budget(uow: UnitOfWork, data: Mapping[str, Any]) -> m.Budget:
    clean = _clean_budget(data)
    _fail(validate_budget(uow, clean), "budget")
    b = m.Budget(tenant_id=uow.tenant_id, **clean)
    uow.session.add(b)
    uow.flush()
    uow.audit("replenishment.budget.create", "replenishment_budget", b.id, after=_snapshot(b, BUDGET_FIELDS))
    return b


def update_budget(uow: UnitOfWork, budget_id: int, changes: Mapping[str, Any]) -> m.Budget:
    b = get_budget(uow, budget_id)
    before = _snapshot(b, BUDGET_FIELDS)
    clean = _clean_budget({**{k: getattr(b, k) for k in BUDGET_FIELDS}, **changes})
    _fail(validate_budget(uow, clean | {"id": b.id}), "budget")
    for k, v in clean.items():
        setattr(b, k, v)
    b.updated_at = utcnow()
    uow.flush()
    uow.audit("replenishment.budget.update", "replenishment_budget", b.id, before=before,
              after=_snapshot(b, BUDGET_FIELDS))  # fmt: skip
    return b


def delete_budget(uow: UnitOfWork, budget_id: int) -> None:
    b = get_budget(uow, budget_id)
    before = _snapshot(b, BUDGET_FIELDS)
    uow.session.delete(b)
    uow.flush()
    uow.audit("replenishment.budget.delete", "replenishment_budget", budget_id, before=before)


# --- approval settings -------------------------------------------------------------------------------------


def validate_settings(data: Mapping[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    amount, dev, hours = data.get("level2_amount"), data.get("level2_deviation_pct"), data.get("escalate_hours")
    if amount is None or amount < 0:
        errs.append(FieldError(("level2_amount",), "0 or more"))
    if dev is None or not Decimal(0) <= dev <= Decimal(1000):
        errs.append(FieldError(("level2_deviation_pct",), "between 0 and 1000"))
    if hours is None or not 1 <= hours <= 720:
        errs.append(FieldError(("escalate_hours",), "between 1 and 720"))
    return errs


def update_settings(uow: UnitOfWork, data: Mapping[str, Any]) -> m.Settings:
    """The tenant's approval thresholds and escalation (HQ only; the kill switch has its own command)."""
    if not _scope(uow).all_sites:
        raise PermissionDenied("the approval settings are the whole company's: HQ changes them")
    _fail(validate_settings(data), "settings")
    cfg = settings(uow)
    before = _snapshot(cfg, SETTINGS_FIELDS)
    for k in SETTINGS_FIELDS:
        setattr(cfg, k, data[k])
    cfg.updated_at = utcnow()
    uow.flush()
    uow.audit("replenishment.settings.update", "replenishment_settings", uow.tenant_id, before=before,
              after=_snapshot(cfg, SETTINGS_FIELDS))  # fmt: skip
    return cfg


def category_id(uow: UnitOfWork, code: str) -> int | None:
    """The tenant's category with this code (the demo's configuration)."""
    c = catalog.category_view()
    found = uow.session.scalar(select(c.c.id).where(c.c.tenant_id == uow.tenant_id, c.c.code == code))
    return int(found) if found is not None else None


def read_settings(uow: UnitOfWork) -> dict[str, Any]:
    """The settings as they apply (the defaults until someone changes them; reading writes nothing)."""
    row = uow.session.get(m.Settings, uow.tenant_id)
    if row is None:
        return {"level2_amount": Decimal(5000), "level2_deviation_pct": Decimal(100), "escalate_hours": 24,
                "auto_enabled": True}  # fmt: skip
    return {k: getattr(row, k) for k in (*SETTINGS_FIELDS, "auto_enabled")}

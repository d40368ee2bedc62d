"""Automatic ordering under rules.

A rule (per site and/or category; the most specific one applies) lets the proposed lines of a run go without
a person when each stays within three bands: the forecast over the cover period deviates from the last
weeks' sales by at most ``deviation_pct``; the line's unit price is within ``price_band_pct`` of the site's
current unit cost; and the lines placed for the site under the rule stay within ``budget`` (lines taken A
items first, then by value). A rule in ``dry_run`` only records what it would have placed. The tenant's kill
switch (``Settings.auto_enabled`` off) stops everything. Every decision is kept (``replenishment_auto_decision``)
and audited with the line's explanation; lines outside the rules stay in the review queue for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.inventory import api as inventory
from boh.kernel.clock import utcnow
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.replenishment import models as m
from boh.replenishment.service import release
from boh.replenishment.service.review import settings

ZERO = Decimal(0)


@dataclass(frozen=True)
class AutoResult:
    placed: int
    would_place: int
    to_review: int
    kill_switch: bool


def _rule_for(rules: list[m.AutoRule], site_id: int, category_id: int | None) -> m.AutoRule | None:
    fits = [r for r in rules if (r.site_id in (None, site_id)) and (r.category_id in (None, category_id))]
    return min(fits, key=lambda r: (-(2 if r.site_id else 0) - (1 if r.category_id else 0), r.id), default=None)


def check_line(line: m.Line, expl: dict[str, Any], rule: m.AutoRule, cost: Decimal | None) -> list[str]:
    """The bands the line breaks (empty: it may go without a person)."""
    reasons: list[str] = []
    fc = expl.get("forecast", {})
    base = Decimal(fc["baseline"]) if fc.get("baseline") is not None else None
    cover = Decimal(fc.get("cover", "0"))
    if base is None or base <= 0:
        reasons.append("no_history")
    elif abs(cover - base) / base * 100 > rule.deviation_pct:
        reasons.append("deviation")
    if cost is None or cost <= 0:
        reasons.append("no_price_reference")
    elif abs(line.unit_price - cost) / cost * 100 > rule.price_band_pct:
        reasons.append("price_band")
    return reasons


def apply_rules(uow: UnitOfWork, *, run_id: int) -> AutoResult:
    cfg = settings(uow)
    if not cfg.auto_enabled:
        uow.audit("replenishment.auto.kill_switch", "replenishment_run", run_id, after={"skipped": True})
        return AutoResult(0, 0, 0, True)
    rules = list(uow.session.scalars(select(m.AutoRule).where(m.AutoRule.tenant_id == uow.tenant_id,
                                                              m.AutoRule.active.is_(True))))  # fmt: skip
    if not rules:
        return AutoResult(0, 0, 0, False)
    rows = uow.session.execute(
        select(m.Line, m.Explanation.data).join(m.Explanation, m.Explanation.line_id == m.Line.id)
        .where(m.Line.run_id == run_id, m.Line.tenant_id == uow.tenant_id, m.Line.status == "proposed",
               m.Line.qty > 0)
        .order_by(m.Line.site_id, m.Line.item_class, m.Line.id)).all()  # fmt: skip
    costs: dict[int, dict[int, Decimal]] = {}
    for site_id in sorted({ln.site_id for ln, _ in rows}):
        ids = [ln.item_id for ln, _ in rows if ln.site_id == site_id]
        costs[site_id] = inventory.unit_costs(uow.session, Scope(uow.tenant_id), site_id, ids)
    spent: dict[tuple[int, int], Decimal] = {}
    counts = {"placed": 0, "would_place": 0, "to_review": 0}
    placed: list[m.Line] = []
    for line, expl in rows:
        rule = _rule_for(rules, line.site_id, line.category_id)
        if rule is None:
            continue
        value = line.qty * line.unit_price
        reasons = check_line(line, expl, rule, costs[line.site_id].get(line.item_id))
        key = (rule.id, line.site_id)
        if not reasons and spent.get(key, ZERO) + value > rule.budget:
            reasons.append("budget")
        if reasons:
            decision = "to_review"
        else:
            spent[key] = spent.get(key, ZERO) + value
            decision = "would_place" if rule.dry_run else "placed"
        counts[decision] += 1
        uow.session.add(m.AutoDecision(tenant_id=uow.tenant_id, run_id=run_id, line_id=line.id, rule_id=rule.id,
                                       decision=decision, dry_run=rule.dry_run, reasons=reasons, value=value,
                                       at=utcnow()))  # fmt: skip
        if decision == "placed":
            line.status, line.auto = "approved", True
            placed.append(line)
        uow.audit("replenishment.auto.decide", "replenishment_line", line.id,
                  after={"decision": decision, "rule": rule.id, "reasons": reasons, "qty": str(line.qty),
                         "explanation": expl})  # fmt: skip
    release.release_lines(uow, placed, key=f"auto:{run_id}")
    return AutoResult(counts["placed"], counts["would_place"], counts["to_review"], False)


def create_rule(uow: UnitOfWork, body: Any) -> m.AutoRule:
    from boh.kernel.errors import FieldError, ValidationFailed
    from boh.org.api import site_points
    from boh.replenishment.service._common import RULES

    if body.site_id is not None and body.site_id not in {
        s.id for s in site_points(uow.session, uow.principal.scope(RULES))
    }:
        raise ValidationFailed([FieldError(("site_id",), "not a site you manage")], "invalid rule")
    rule = m.AutoRule(tenant_id=uow.tenant_id, site_id=body.site_id, category_id=body.category_id, budget=body.budget,
                      deviation_pct=body.deviation_pct, price_band_pct=body.price_band_pct, dry_run=body.dry_run,
                      active=True)  # fmt: skip
    uow.session.add(rule)
    uow.flush()
    uow.audit("replenishment.auto_rule.create", "replenishment_auto_rule", rule.id, after=body.model_dump(mode="json"))
    return rule


def set_enabled(uow: UnitOfWork, enabled: bool) -> None:
    """The tenant's kill switch (False stops automatic ordering at once)."""
    cfg = settings(uow)
    before = cfg.auto_enabled
    cfg.auto_enabled, cfg.updated_at = enabled, utcnow()
    uow.audit("replenishment.kill_switch", "replenishment_settings", uow.tenant_id,
              before={"auto_enabled": before}, after={"auto_enabled": enabled})  # fmt: skip

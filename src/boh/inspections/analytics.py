"""Analytics of inspections (read side, DTOs out): score trends by month per store, region or template, the
most-failed items, repeat failures, overdue actions, time to close, inspector coverage and consistency, and each
store's score beside the other domains' facts about it (stock discrepancies, shrink, stockouts, waste,
cold chain). Every report is a ``Table`` (header + rows) so the API, the CSV/XLSX export and the dashboard
show the same figures. Only the caller's sites are counted."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inspections import models
from boh.inspections.risk import repeat_failures
from boh.kernel.tenancy import Scope
from boh.org.api import region_refs, site_points, user_names

CENT = Decimal("0.01")
REPORTS = ("trend", "failed_items", "repeat_failures", "overdue", "time_to_close", "coverage", "consistency",
           "stores")  # fmt: skip
SIGNAL_KINDS = ("stock_discrepancy", "shrink", "stockout", "waste", "cold_chain")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    region_id: int | None = None
    template_id: int | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        lo = datetime.combine(self.start, time.min, tzinfo=UTC)
        return lo, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "header": self.header, "rows": [[_json(v) for v in r] for r in self.rows]}


def _json(v: Any) -> Any:
    return str(v) if isinstance(v, Decimal | date) else v


def _avg(values: Sequence[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP) if values else None


@dataclass(frozen=True)
class _Ctx:
    session: Session
    scope: Scope
    period: Period
    sites: dict[int, Any]
    regions: dict[int, str]


def _ctx(session: Session, scope: Scope, period: Period) -> _Ctx:
    sites = {s.id: s for s in site_points(session, scope, kind="store")
             if period.region_id in (None, s.region_id)}  # fmt: skip
    return _Ctx(session, scope, period, sites, {r.id: r.code for r in region_refs(session, scope.tenant_id)})


def _submitted(c: _Ctx) -> list[models.Visit]:
    lo, hi = c.period.bounds()
    stmt = select(models.Visit).where(
        models.Visit.tenant_id == c.scope.tenant_id, models.Visit.status == "submitted",
        models.Visit.kind == "inspection", models.Visit.submitted_at >= lo, models.Visit.submitted_at < hi,
        models.Visit.site_id.in_(sorted(c.sites)),
    )  # fmt: skip
    if c.period.template_id is not None:
        stmt = stmt.where(models.Visit.template_id == c.period.template_id)
    return list(c.session.scalars(stmt.order_by(models.Visit.submitted_at)))


def trend(c: _Ctx, visits: list[models.Visit], by: str = "region") -> Table:
    """Average score per month and group (region, store or template)."""
    names = _template_names(c)
    groups: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for v in visits:
        if v.score is None or v.submitted_at is None:
            continue
        site = c.sites[v.site_id]
        key = {"store": site.code, "template": names.get(v.template_id, "?"),
               "region": c.regions.get(site.region_id, "—")}[by]  # fmt: skip
        groups[(v.submitted_at.strftime("%Y-%m"), key)].append(v.score)
    rows = [[month, key, _avg(vals), len(vals)] for (month, key), vals in sorted(groups.items())]
    return Table("trend", ["month", by, "average_score", "inspections"], rows)


def _template_names(c: _Ctx) -> dict[int, str]:
    rows = c.session.execute(select(models.Template.id, models.Template.code).where(
        models.Template.tenant_id == c.scope.tenant_id))  # fmt: skip
    return {i: code for i, code in rows}


def _item_texts(c: _Ctx) -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], str] = {}
    for t in c.session.scalars(select(models.Template).where(models.Template.tenant_id == c.scope.tenant_id)):
        for section in t.draft.get("sections", []):
            for item in section.get("items", []):
                out[(t.id, item["key"])] = item.get("text", item["key"])
    return out


def failed_items(c: _Ctx, visits: list[models.Visit], top: int = 20) -> Table:
    """The items failed most often across the chain, with the share of inspections they failed in."""
    texts, names = _item_texts(c), _template_names(c)
    fails: Counter[tuple[int, str]] = Counter()
    seen: Counter[int] = Counter(v.template_id for v in visits)
    stores: dict[tuple[int, str], set[int]] = defaultdict(set)
    for v in visits:
        for key in v.failed_items or []:
            fails[(v.template_id, key)] += 1
            stores[(v.template_id, key)].add(v.site_id)
    rows = [
        [names.get(t, "?"), key, texts.get((t, key), key), n, (Decimal(100 * n) / seen[t]).quantize(CENT),
         len(stores[(t, key)])]
        for (t, key), n in fails.most_common(top)
    ]  # fmt: skip
    return Table("failed_items", ["template", "item", "text", "failures", "failure_rate_pct", "stores"], rows)


def repeat_table(c: _Ctx, visits: list[models.Visit]) -> Table:
    """Stores with items failed in two or more of their last three inspections of a template."""
    texts, names = _item_texts(c), _template_names(c)
    by_store: dict[tuple[int, int], list[list[str]]] = defaultdict(list)
    for v in sorted(visits, key=lambda v: v.submitted_at or datetime.min.replace(tzinfo=UTC), reverse=True):
        by_store[(v.site_id, v.template_id)].append(list(v.failed_items or []))
    rows = []
    for (site_id, tpl), history in sorted(by_store.items()):
        if repeat_failures(history) == 0:
            continue
        counts = Counter(k for failed in history[:3] for k in set(failed))
        for key, n in sorted(counts.items()):
            if n >= 2:
                rows.append([c.sites[site_id].code, names.get(tpl, "?"), key, texts.get((tpl, key), key), n])
    return Table("repeat_failures", ["store", "template", "item", "text", "failed_of_last_3"], rows)


def _actions(c: _Ctx) -> list[models.Action]:
    stmt = select(models.Action).where(models.Action.tenant_id == c.scope.tenant_id,
                                       models.Action.site_id.in_(sorted(c.sites)))  # fmt: skip
    return list(c.session.scalars(stmt.order_by(models.Action.due_date, models.Action.id)))


def overdue(c: _Ctx, today: date) -> Table:
    owners = user_names(c.session, c.scope.tenant_id, [a.owner_id for a in _actions(c) if a.owner_id])
    rows = [
        [c.sites[a.site_id].code, c.regions.get(c.sites[a.site_id].region_id, "—"), a.title, a.severity,
         a.due_date, (today - a.due_date).days, owners.get(a.owner_id or 0, ""), a.status, a.escalation_level]
        for a in _actions(c) if a.status != "accepted" and a.due_date < today
    ]  # fmt: skip
    header = ["store", "region", "action", "severity", "due", "days_overdue", "owner", "status", "escalation_level"]
    return Table("overdue", header, rows)


def time_to_close(c: _Ctx) -> Table:
    lo, hi = c.period.bounds()
    days: dict[str, list[Decimal]] = defaultdict(list)
    open_: Counter[str] = Counter()
    for a in _actions(c):
        if a.closed_at is not None and lo <= a.closed_at < hi:
            days[a.severity].append(Decimal((a.closed_at - a.created_at).total_seconds()) / 86400)
        elif a.status != "accepted":
            open_[a.severity] += 1
    rows = [[sev, len(days[sev]), _avg(days[sev]), max(days[sev]).quantize(CENT) if days[sev] else None, open_[sev]]
            for sev in ("critical", "high", "medium", "low")]  # fmt: skip
    return Table("time_to_close", ["severity", "closed", "average_days", "longest_days", "still_open"], rows)


def coverage(c: _Ctx, today: date) -> Table:
    """Per inspector: visits planned in the period, done, missed (planned, past and not done), stores."""
    stmt = select(models.Visit).where(
        models.Visit.tenant_id == c.scope.tenant_id, models.Visit.inspector_id.is_not(None),
        models.Visit.kind == "inspection", models.Visit.status != "cancelled",
        models.Visit.scheduled_for >= c.period.start, models.Visit.scheduled_for <= c.period.end,
        models.Visit.site_id.in_(sorted(c.sites)),
    )  # fmt: skip
    per: dict[int, dict[str, Any]] = defaultdict(lambda: {"planned": 0, "done": 0, "missed": 0, "stores": set()})
    for v in c.session.scalars(stmt):
        row = per[v.inspector_id or 0]
        row["planned"] += 1
        row["done"] += v.status == "submitted"
        row["missed"] += v.status in ("planned", "in_progress") and (v.scheduled_for or today) < today
        row["stores"].add(v.site_id)
    names = user_names(c.session, c.scope.tenant_id, list(per))
    rows = [[names.get(i, str(i)), r["planned"], r["done"], r["missed"], len(r["stores"]),
             (Decimal(100 * r["done"]) / r["planned"]).quantize(CENT) if r["planned"] else None]
            for i, r in sorted(per.items(), key=lambda kv: names.get(kv[0], ""))]  # fmt: skip
    return Table("coverage", ["inspector", "planned", "done", "missed", "stores", "done_pct"], rows)


def consistency(c: _Ctx, visits: list[models.Visit]) -> Table:
    """On stores inspected with the same checklist by two or more inspectors: how far each inspector's scores sit
    from the store's average (bias) and how much they spread; a large bias means a harsher or milder inspector."""
    by_store: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)  # (store, template)
    for v in visits:
        if v.score is not None and v.inspector_id is not None:
            by_store[(v.site_id, v.template_id)].append((v.inspector_id, v.score))
    deviations: dict[int, list[Decimal]] = defaultdict(list)
    shared: dict[int, set[int]] = defaultdict(set)
    for (site_id, _template), scores in by_store.items():
        if len({i for i, _ in scores}) < 2:
            continue
        mean = sum((s for _, s in scores), Decimal(0)) / len(scores)
        for ins, s in scores:
            deviations[ins].append(s - mean)
            shared[ins].add(site_id)
    names = user_names(c.session, c.scope.tenant_id, list(deviations))
    rows = [[names.get(i, str(i)), len(shared[i]), len(d), _avg(d),
             Decimal(statistics.pstdev(d)).quantize(CENT) if len(d) > 1 else Decimal(0)]
            for i, d in sorted(deviations.items(), key=lambda kv: names.get(kv[0], ""))]  # fmt: skip
    return Table("consistency", ["inspector", "shared_stores", "inspections", "bias", "spread"], rows)


def stores(c: _Ctx, visits: list[models.Visit]) -> Table:
    """Each store's average score beside the other domains' facts of the same period (sales are not published
    by any domain yet: the column says so)."""
    lo, hi = c.period.bounds()
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for v in visits:
        if v.score is not None:
            scores[v.site_id].append(v.score)
    signals: dict[int, Counter[str]] = defaultdict(Counter)
    for site_id, kind, n in c.session.execute(
        select(models.Signal.site_id, models.Signal.kind, func.count())
        .where(models.Signal.tenant_id == c.scope.tenant_id, models.Signal.at >= lo, models.Signal.at < hi)
        .group_by(models.Signal.site_id, models.Signal.kind)
    ):
        signals[site_id][kind] = n
    rows = [[s.code, c.regions.get(s.region_id, "—"), _avg(scores[s.id]), len(scores[s.id]),
             *[signals[s.id][k] for k in SIGNAL_KINDS], None]
            for s in sorted(c.sites.values(), key=lambda s: s.code)]  # fmt: skip
    return Table("stores", ["store", "region", "average_score", "inspections", *SIGNAL_KINDS, "sales"], rows)


def report(session: Session, scope: Scope, period: Period, name: str, today: date, by: str = "region") -> Table:
    c = _ctx(session, scope, period)
    if name in ("overdue", "time_to_close", "coverage"):
        return {"overdue": lambda: overdue(c, today), "time_to_close": lambda: time_to_close(c),
                "coverage": lambda: coverage(c, today)}[name]()  # fmt: skip
    visits = _submitted(c)
    if name == "trend":
        return trend(c, visits, by)
    return {"failed_items": failed_items, "repeat_failures": repeat_table, "consistency": consistency,
            "stores": stores}[name](c, visits)  # fmt: skip


def dashboard(session: Session, scope: Scope, period: Period, today: date) -> dict[str, Table]:
    c = _ctx(session, scope, period)
    visits = _submitted(c)
    return {
        "trend": trend(c, visits, "region"), "failed_items": failed_items(c, visits, 10),
        "repeat_failures": repeat_table(c, visits), "overdue": overdue(c, today), "time_to_close": time_to_close(c),
        "coverage": coverage(c, today), "consistency": consistency(c, visits), "stores": stores(c, visits),
    }  # fmt: skip

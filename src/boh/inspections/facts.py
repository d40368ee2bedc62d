"""What the planner needs to know from the database, read in a few set-based queries: each store's risk facts
(recent scores, repeat failures, open and overdue actions, other domains' signals) and each (store, template)'s
last inspection."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boh.inspections import models
from boh.inspections.planner import History
from boh.inspections.risk import SIGNAL_DAYS, Risk, RiskFacts, repeat_failures, risk_of


def _submitted(session: Session, tenant_id: int) -> list[tuple[int, int, datetime, object, list[str]]]:
    rows = session.execute(
        select(models.Visit.site_id, models.Visit.template_id, models.Visit.submitted_at, models.Visit.score,
               models.Visit.failed_items)
        .where(models.Visit.tenant_id == tenant_id, models.Visit.status == "submitted",
               models.Visit.kind == "inspection")
        .order_by(models.Visit.site_id, models.Visit.submitted_at.desc())
    ).all()  # fmt: skip
    return [tuple(r) for r in rows]  # type: ignore[misc]


def history(session: Session, tenant_id: int) -> dict[tuple[int, int], History]:
    """(site, template) -> the last submitted inspection's day and score."""
    out: dict[tuple[int, int], History] = {}
    for site_id, template_id, at, score, _failed in _submitted(session, tenant_id):
        key = (site_id, template_id)
        if key not in out:
            out[key] = History(at.date(), float(score) if score is not None else None)  # type: ignore[arg-type]
    return out


def risk_facts(session: Session, tenant_id: int, today: date) -> dict[int, RiskFacts]:
    scores: dict[int, object] = {}
    failed: dict[int, list[list[str]]] = defaultdict(list)
    for site_id, _t, _at, score, items in _submitted(session, tenant_id):
        scores.setdefault(site_id, score)
        failed[site_id].append(list(items or []))
    open_: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for site_id, due, n in session.execute(
        select(models.Action.site_id, models.Action.due_date, func.count())
        .where(models.Action.tenant_id == tenant_id, models.Action.status != "accepted")
        .group_by(models.Action.site_id, models.Action.due_date)
    ):
        open_[site_id] += n
        if due < today:
            overdue[site_id] += n
    signals: dict[int, dict[str, int]] = defaultdict(dict)
    since = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=SIGNAL_DAYS)
    for site_id, kind, n in session.execute(
        select(models.Signal.site_id, models.Signal.kind, func.count())
        .where(models.Signal.tenant_id == tenant_id, models.Signal.at >= since)
        .group_by(models.Signal.site_id, models.Signal.kind)
    ):
        signals[site_id][kind] = n
    sites = set(scores) | set(open_) | set(signals)
    return {
        s: RiskFacts(
            last_score=scores.get(s),  # type: ignore[arg-type]
            repeat_failures=repeat_failures(failed.get(s, [])),
            open_actions=open_.get(s, 0),
            overdue_actions=overdue.get(s, 0),
            signals=signals.get(s, {}),
        )
        for s in sites
    }


def risks(session: Session, tenant_id: int, site_ids: list[int], today: date) -> dict[int, Risk]:
    """Every site's risk (a site with no facts at all has never been inspected)."""
    facts = risk_facts(session, tenant_id, today)
    return {s: risk_of(facts.get(s, RiskFacts())) for s in site_ids}

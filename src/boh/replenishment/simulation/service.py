"""Use cases of the policy simulation: run a study on a demand history and store it, and save the operating
point a planner picks per category. Entrypoints (CLI, pages, demo) open the unit of work; nothing here commits."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.replenishment.simulation import models, sweep, synthetic
from boh.replenishment.simulation.data import History
from boh.replenishment.simulation.errors import RunNotFound

READ, SIMULATE = "replenishment.read", "replenishment.simulate"
POLICIES = ("boh", "baseline")


def stored(value: Any) -> Any:
    """The result as JSON with exact decimal strings instead of floats (NaN and infinities: null)."""
    if isinstance(value, dict):
        return {str(k): stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stored(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float | Decimal):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        return format(Decimal(repr(round(f, 6))).normalize(), "f")
    if hasattr(value, "item"):  # numpy scalars
        return stored(value.item())
    return str(value)


def store_run(uow: UnitOfWork, result: dict[str, Any], *, label: str, source: str) -> models.SimRun:
    keys = (
        "series",
        "forecast_wape_2d",
        "forecast_wape_2d_in_stock",
        "chosen_level",
        "best_cover",
        "headline",
        "operating",
        "validation_level_on_test",
        "validation_fewer_level_on_test",
        "recorded",
        "samples",
        "trace_days",
        "forecast_seconds",
        "spread",
        "spread_selection",
        "level_rule",
        "ex_ante_by_rule",
    )
    summary = {k: result.get(k) for k in keys}
    summary["versus"] = result["test"]["versus"]
    run = models.SimRun(
        tenant_id=uow.tenant_id, label=label[:120], source=source[:200], series=int(result["series"]),
        seconds=Decimal(str(result["seconds"])), created_by=uow.principal.actor, params=stored(result["study"]),
        summary=stored(summary),
        curves=stored({"baseline": result["test"]["baseline"], "boh": result["test"]["boh"]}),
        traces=stored(result["traces"]),
    )  # fmt: skip
    uow.session.add(run)
    uow.session.flush()
    uow.audit("replenishment.simulation.stored", "replenishment_sim_run", run.id,
              after={"label": run.label, "source": run.source, "series": run.series})  # fmt: skip
    return run


def simulate(uow: UnitOfWork, history: History, study: sweep.Study, *, label: str, source: str) -> models.SimRun:
    return store_run(uow, sweep.run(history, study), label=label, source=source)


def demo_run(uow: UnitOfWork) -> models.SimRun:
    """A small study on a generated chain (the demo's simulation page)."""
    study = sweep.Study(covers=(2.0, 2.5, 3.0, 3.5, 4.0), levels=(0.6, 0.7, 0.8, 0.9, 0.95))
    return simulate(uow, synthetic.history(), study, label="Demo chain · 演示门店", source="demo")


def _run(uow: UnitOfWork, run_id: int) -> models.SimRun:
    run = uow.session.get(models.SimRun, run_id)
    if run is None or run.tenant_id != uow.tenant_id:
        raise RunNotFound(f"simulation run {run_id} not found")
    return run


def choose(uow: UnitOfWork, run_id: int, picks: dict[str, str]) -> list[models.SimChoice]:
    """Save the operating points: ``picks`` maps a category (``all`` or a category id of the run) to
    ``"<policy>:<param>"``, one of the run's swept points. Every invalid pick is reported; nothing is saved
    unless all are valid."""
    run = _run(uow, run_id)
    cats = {"all", *{c for p in run.curves.get("boh", []) for c in p.get("categories", {})}}
    points = {(kind, Decimal(p["param"])) for kind in POLICIES for p in run.curves.get(kind, [])}
    errors: list[FieldError] = []
    parsed: dict[str, tuple[str, Decimal]] = {}
    for cat, value in picks.items():
        kind, _, param = value.partition(":")
        try:
            dec = Decimal(param)
        except ArithmeticError:
            dec = Decimal(-1)
        if cat not in cats:
            errors.append(FieldError((cat,), "unknown category", "unknown_category"))
        elif (kind, dec) not in points:
            errors.append(FieldError((cat,), "not a point of this run's curves", "unknown_point"))
        else:
            parsed[cat] = (kind, dec)
    if errors:
        raise ValidationFailed(errors)
    C = models.SimChoice
    existing = {c.category: c for c in uow.session.scalars(select(C).where(C.run_id == run.id))}
    out = []
    for cat, (kind, dec) in sorted(parsed.items()):
        row = existing.get(cat)
        before = None if row is None else {"policy": row.policy, "param": str(row.param)}
        if row is None:
            row = C(tenant_id=uow.tenant_id, run_id=run.id, category=cat, policy=kind, param=dec,
                    chosen_by=uow.principal.actor)  # fmt: skip
            uow.session.add(row)
        else:
            row.policy, row.param, row.chosen_by = kind, dec, uow.principal.actor
        uow.session.flush()
        uow.audit("replenishment.simulation.point_chosen", "replenishment_sim_choice", row.id, before=before,
                  after={"run_id": run.id, "category": cat, "policy": kind, "param": str(dec)})  # fmt: skip
        out.append(row)
    return out

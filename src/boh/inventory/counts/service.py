"""Use cases of stocktakes: create, start (freeze), record entries, submit for review, resolve lines,
recount, approve, post, cancel, and the per-tenant thresholds. Callers own the transaction.

Status machine (domain.TRANSITIONS): draft -> counting -> review -> approved -> posted, review -> counting
for recounts, and cancelled from any state before posted. The count row is locked (SELECT .. FOR UPDATE)
by every command, so entries, submit, approval and posting of one count are serialised.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from boh.inventory.counts import domain, entries, queries
from boh.inventory.counts import repository as repo
from boh.inventory.counts.errors import CountNotFound, ManagerApprovalRequired, WrongCountStatus
from boh.inventory.counts.events import CountPosted
from boh.inventory.counts.models import Count, CountLine, CountSettings
from boh.inventory.counts.schemas import (
    CountCreate,
    EntriesResult,
    EntryIn,
    LinesUpdate,
    MovedWarning,
    RecountIn,
    SettingsIn,
)
from boh.inventory.ledger.contract import Line
from boh.inventory.ledger.documents import post_document
from boh.kernel.clock import utcnow
from boh.kernel.errors import FieldError, PermissionDenied, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref

READ = "inventory.count.read"
WRITE = "inventory.count.write"
APPROVE = "inventory.count.approve"
APPROVE_OVER = "inventory.count.approve_over_threshold"
ZERO = Decimal(0)


def _load(uow: UnitOfWork, perm: str, count_id: int) -> tuple[Scope, Count]:
    scope = uow.principal.scope(perm)
    count = repo.get_count(uow.session, scope.tenant_id, count_id, for_update=True)
    if count is None or not scope.allows_site(count.site_id):
        raise CountNotFound(f"count {count_id} not found")
    return scope, count


def _move(count: Count, target: str) -> None:
    if not domain.can_move(count.status, target):
        raise WrongCountStatus(f"count {count.id} is {count.status}: it cannot become {target}", status=count.status)
    count.status = target


def _audit(uow: UnitOfWork, action: str, count: Count, **after: Any) -> None:
    uow.flush()
    uow.audit(f"inventory.count.{action}", "count", count.id, after={"status": count.status, **after})


def thresholds(uow: UnitOfWork) -> domain.Thresholds:
    row = repo.get_settings(uow.session, uow.tenant_id)
    if row is None:
        return domain.DEFAULTS
    return domain.Thresholds(row.approval_threshold, row.recount_pct, row.recount_value)


def put_settings(uow: UnitOfWork, data: SettingsIn) -> domain.Thresholds:
    scope = uow.principal.scope(APPROVE)
    if not scope.all_sites:
        raise PermissionDenied("only tenant-wide managers change the count thresholds")
    row = repo.get_settings(uow.session, scope.tenant_id, for_update=True)
    if row is None:
        row = CountSettings(tenant_id=scope.tenant_id, **data.model_dump())
        uow.session.add(row)
    else:
        for key, value in data.model_dump().items():
            setattr(row, key, value)
        row.updated_at = utcnow()
    uow.flush()
    uow.session.refresh(row)  # the stored (quantized) values
    uow.audit("inventory.count.settings", "count_settings", scope.tenant_id, after=data.model_dump(mode="json"))
    return thresholds(uow)


def create_count(uow: UnitOfWork, data: CountCreate) -> Count:
    scope = uow.principal.scope(WRITE)
    site = get_site_ref(uow.session, scope, data.site_id)
    if data.assignee_id is not None and not repo.user_exists(uow.session, scope.tenant_id, data.assignee_id):
        raise ValidationFailed([FieldError(("assignee_id",), f"unknown user {data.assignee_id}", "org.user_not_found")])
    count = Count(
        tenant_id=scope.tenant_id,
        site_id=site.id,
        kind=data.kind,
        abc_classes="".join(sorted(set(data.abc_classes))) if data.abc_classes else None,
        item_ids=sorted(set(data.item_ids)) if data.item_ids else None,
        blind=data.blind,
        status="draft",
        scheduled_for=data.scheduled_for,
        assignee_id=data.assignee_id,
        note=data.note,
        currency=site.currency,
        created_by=uow.principal.actor,
        moves_posted=0,
        round=0,
    )
    uow.session.add(count)
    _audit(uow, "create", count, **data.model_dump(mode="json"))
    return count


def _cycle_items(uow: UnitOfWork, count: Count) -> list[int]:
    """The items of a cycle count: its item list, or the site's items, filtered by ABC class."""
    ids = set(count.item_ids) if count.item_ids else repo.site_item_ids(uow.session, count.tenant_id, count.site_id)
    if not count.abc_classes:
        return sorted(ids)
    since = utcnow() - timedelta(days=domain.ABC_DAYS)
    sales = repo.sales_value(uow.session, count.tenant_id, count.site_id, since)
    classes = domain.abc_classes({i: sales.get(i, ZERO) for i in ids | set(sales)})
    return sorted(i for i in ids if classes[i] in count.abc_classes)


def start_count(uow: UnitOfWork, count_id: int) -> Count:
    """Freeze the expected quantities (set-based) and open the count for entries."""
    _, count = _load(uow, WRITE, count_id)
    _move(count, "counting")
    repo.freeze(uow.session, count, _cycle_items(uow, count) if count.kind == "cycle" else None)
    count.frozen_at = utcnow()
    lines = uow.session.scalar(select(func.count()).where(CountLine.count_id == count.id)) or 0
    _audit(uow, "start", count, lines=lines)
    return count


def add_entries(uow: UnitOfWork, count_id: int, items: list[EntryIn], session_id: str | None = None) -> EntriesResult:
    """Record a batch of entries of the calling counter: all or nothing, every error at once."""
    _, count = _load(uow, WRITE, count_id)
    if count.status != "counting":
        raise WrongCountStatus(f"count {count.id} is {count.status}: entries need a count in counting")
    return entries.record(uow, count, items, session_id)


def add_rfid(uow: UnitOfWork, count_id: int, epcs: list[str], session_id: str | None = None) -> EntriesResult:
    """An RFID read session: each distinct tag counts once."""
    return add_entries(uow, count_id, [EntryIn(epc=e, method="rfid") for e in epcs], session_id)


def _evaluate(uow: UnitOfWork, count: Count) -> None:
    """Variance, value at the moving average and the recount flag of every line; the count's total."""
    t = thresholds(uow)
    costs = repo.avg_costs(uow.session, count.tenant_id, count.site_id)
    rows = uow.session.execute(
        select(
            CountLine.id,
            CountLine.item_id,
            CountLine.expected_qty,
            CountLine.counted_qty,
            CountLine.round,
            CountLine.zero_confirmed,
        ).where(CountLine.count_id == count.id)
    ).all()
    changes: list[dict[str, Any]] = []
    total = ZERO
    for line_id, item_id, expected, counted, rnd, zero in rows:
        cost = costs.get(item_id, ZERO)
        v = domain.variance(expected, counted, cost, t, recounted=rnd > 0 or zero)
        total += abs(v.value or ZERO)
        changes.append(
            {
                "id": line_id,
                "variance": v.variance,
                "unit_cost": cost,
                "variance_value": v.value,
                "recount_required": v.recount_required,
            }
        )
    for start in range(0, len(changes), 1000):
        uow.session.execute(update(CountLine), changes[start : start + 1000])
    count.total_abs_value = domain.money(total)


def submit(uow: UnitOfWork, count_id: int) -> Count:
    """Close counting: compute variances and flag the lines needing a recount."""
    _, count = _load(uow, WRITE, count_id)
    _move(count, "review")
    _evaluate(uow, count)
    count.submitted_at = utcnow()
    _audit(uow, "submit", count, total_abs_value=str(count.total_abs_value))
    return count


def _lines(uow: UnitOfWork, count: Count, ids: list[int]) -> dict[int, CountLine]:
    out: dict[int, CountLine] = {}
    for chunk in repo.chunks(sorted(set(ids))):
        stmt = select(CountLine).where(CountLine.count_id == count.id, CountLine.id.in_(chunk))
        out.update({ln.id: ln for ln in uow.session.scalars(stmt)})
    return out


def update_lines(uow: UnitOfWork, count_id: int, data: LinesUpdate) -> Count:
    """Zero-confirm uncounted lines, accept variances, set reason codes: all or nothing."""
    _, count = _load(uow, WRITE, count_id)
    if count.status != "review":
        raise WrongCountStatus(f"count {count.id} is {count.status}: lines are resolved in review")
    lines = _lines(uow, count, [u.line_id for u in data.lines])
    errors: list[FieldError] = []
    for i, u in enumerate(data.lines):
        line = lines.get(u.line_id)
        if line is None:
            errors.append(
                FieldError(
                    ("lines", i, "line_id"), f"line {u.line_id} is not in this count", "inventory.count_line_not_found"
                )
            )
        elif u.confirm_zero and line.counted_qty is not None and not line.zero_confirmed:
            errors.append(
                FieldError(("lines", i, "confirm_zero"), "the line was counted", "inventory.count_line_counted")
            )
    if errors:
        raise ValidationFailed(errors, detail="nothing was changed")
    for u in data.lines:
        line = lines[u.line_id]
        if u.confirm_zero:
            line.counted_qty, line.zero_confirmed = ZERO, True
        line.accepted = line.accepted or u.accept
        line.reason_code = u.reason_code or line.reason_code
    uow.flush()
    _evaluate(uow, count)
    _audit(uow, "lines", count, lines=[u.model_dump(mode="json") for u in data.lines])
    return count


def recount(uow: UnitOfWork, count_id: int, data: RecountIn) -> Count:
    """Send lines back to counting in a new round: their entries so far stay as history, and until the next
    submit entries are accepted only for these lines (and lots found), so nothing already counted doubles."""
    _, count = _load(uow, WRITE, count_id)
    _move(count, "counting")
    count.round += 1
    if data.line_ids is None:
        ids = list(
            uow.session.scalars(
                select(CountLine.id).where(
                    CountLine.count_id == count.id,
                    queries.unresolved(),
                )
            )
        )
    else:
        found = _lines(uow, count, data.line_ids)
        missing = [
            FieldError(("line_ids", i), f"line {lid} is not in this count", "inventory.count_line_not_found")
            for i, lid in enumerate(data.line_ids)
            if lid not in found
        ]
        if missing:
            raise ValidationFailed(missing)
        ids = sorted(found)
    for chunk in repo.chunks(sorted(ids)):
        uow.session.execute(
            update(CountLine)
            .where(CountLine.id.in_(chunk))
            .values(
                round=count.round,
                counted_qty=None,
                variance=None,
                variance_value=None,
                recount_required=False,
                zero_confirmed=False,
                accepted=False,
            ),
            execution_options={"synchronize_session": False},
        )
    _audit(uow, "recount", count, line_ids=ids)
    return count


def approve(uow: UnitOfWork, count_id: int) -> Count:
    """Approve a reviewed count. Above the tenant's threshold only a manager of the count's site may: one
    holding inventory.count.approve_over_threshold there (regional managers of its region, HQ)."""
    _, count = _load(uow, APPROVE, count_id)
    if count.status != "review":
        raise WrongCountStatus(f"count {count.id} is {count.status}: only a count in review is approved")
    _evaluate(uow, count)
    rows = uow.session.execute(
        select(
            CountLine.id, CountLine.expected_qty, CountLine.counted_qty, CountLine.recount_required, CountLine.accepted
        )
        .where(CountLine.count_id == count.id)
        .order_by(CountLine.id)
    ).all()
    errors = [
        FieldError(("lines", lid), why, "inventory.count_line_unresolved")
        for lid, expected, counted, rec, acc in rows
        if (why := domain.blocking(expected, counted, rec, acc)) is not None
    ]
    if errors:
        raise ValidationFailed(errors, detail=f"{len(errors)} line(s) must be resolved before approval")
    t = thresholds(uow)
    total = count.total_abs_value or ZERO
    held = uow.principal.grants.get(APPROVE_OVER)
    manager = domain.is_manager_at(held, APPROVE_OVER in uow.principal.grants, count.site_id)
    if domain.needs_manager(total, t) and not manager:
        raise ManagerApprovalRequired(
            f"the variance value {total} {count.currency} is above {t.approval_threshold}: a manager must approve",
            total_abs_value=str(total),
            threshold=str(t.approval_threshold),
        )
    _move(count, "approved")
    count.approved_by, count.approved_at = uow.principal.actor, utcnow()
    _audit(uow, "approve", count, total_abs_value=str(total), threshold=str(t.approval_threshold))
    return count


def moved_since_freeze(uow: UnitOfWork, count: Count) -> list[MovedWarning]:
    keys = {ln.id: ln for ln in repo.line_keys(uow.session, count.id)}
    lots = dict(uow.session.execute(select(CountLine.id, CountLine.lot_id).where(CountLine.count_id == count.id)).all())
    return [
        MovedWarning(line_id=lid, item_id=keys[lid].item_id, lot_id=lots[lid], moved_since_freeze=now - expected)
        for lid, (expected, now) in sorted(repo.on_hand_by_line(uow.session, count).items())
        if now != expected
    ]


def post(uow: UnitOfWork, count_id: int) -> tuple[Count, list[MovedWarning], bool]:
    """Post the approved variances as count_variance moves (one ledger batch). Posting again does nothing."""
    scope, count = _load(uow, APPROVE, count_id)
    if count.status == "posted":
        return count, [], True
    if count.status != "approved":
        raise WrongCountStatus(f"count {count.id} is {count.status}: only an approved count is posted")
    warnings = moved_since_freeze(uow, count)
    rows = uow.session.execute(
        select(CountLine.id, CountLine.item_id, CountLine.lot_id, CountLine.variance, CountLine.reason_code)
        .where(CountLine.count_id == count.id, CountLine.variance.is_not(None), CountLine.variance != ZERO)
        .order_by(CountLine.id)
    ).all()
    lines = [
        Line(
            index=i,
            site_id=count.site_id,
            item_id=item_id,
            lot_id=lot_id,
            move_type="count_variance",
            quantity=variance,
            reason_code=reason,
            source_type="inventory_count",
            source_id=str(count.id),
            idempotency_key=f"count:{count.id}:{line_id}",
        )
        for i, (line_id, item_id, lot_id, variance, reason) in enumerate(rows)
        if variance is not None
    ]
    if lines:
        post_document(uow, scope, lines, internal=False)
    _move(count, "posted")
    count.posted_by, count.posted_at, count.moves_posted = uow.principal.actor, utcnow(), len(lines)
    total = count.total_abs_value or ZERO
    _audit(uow, "post", count, moves=len(lines), warnings=len(warnings))
    uow.publish(
        CountPosted(
            tenant_id=count.tenant_id,
            count_id=count.id,
            site_id=count.site_id,
            moves_posted=len(lines),
            total_abs_value=total,
            currency=count.currency,
        )
    )
    return count, warnings, False


def cancel(uow: UnitOfWork, count_id: int) -> Count:
    _, count = _load(uow, WRITE, count_id)
    _move(count, "cancelled")
    _audit(uow, "cancel", count)
    return count

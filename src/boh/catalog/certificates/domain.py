"""Pure rules of supplier certificates (no I/O): a certificate's state on a date, whether a requirement is
met, the receipt verdict, and which expiry warning is due.

A certificate is valid on every day from ``valid_from`` to ``valid_to``, both included: on ``valid_to`` it
is still valid, the day after it is expired. A required type is met when at least one active certificate
of that type is valid on the date; otherwise the reason names what is wrong, preferring ``expired`` (a
certificate existed and ran out) over ``not_yet_valid`` over ``missing`` (never had one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

CERT_TYPES: tuple[str, ...] = ("food_safety", "organic", "halal", "business_licence", "food_licence", "other")
ACTIONS: tuple[str, ...] = ("block", "quarantine")
WARN_DAYS = 30  # expiry warnings this many days ahead
THRESHOLDS: tuple[int, ...] = (30, 7)  # one warning at each, then one when expired

Action = Literal["ok", "block", "quarantine"]
State = Literal["valid", "expiring", "expired", "not_yet_valid", "revoked"]
Problem = Literal["expired", "missing", "not_yet_valid"]
_SEVERITY = {"ok": 0, "quarantine": 1, "block": 2}


@dataclass(frozen=True)
class CertificateVerdict:
    """What a receipt from a supplier gets on a date: ``ok``, ``block`` (refuse it) or ``quarantine`` (take
    it in, lots held). ``reasons`` are stable codes ``certificate_<problem>:<type>:<supplier code>`` with
    problem ``expired`` | ``missing`` | ``not_yet_valid``, sorted, one per unmet required type."""

    action: Action
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CertFact:
    cert_type: str
    valid_from: date
    valid_to: date
    status: str = "active"


@dataclass(frozen=True)
class RequirementFact:
    cert_type: str
    action: str
    supplier_id: int | None = None
    category_id: int | None = None


def days_left(valid_to: date, on_date: date) -> int:
    """Days from ``on_date`` to the last valid day: 0 on the last day, negative once expired."""
    return (valid_to - on_date).days


def cert_state(cert: CertFact, on_date: date, warn_days: int = WARN_DAYS) -> State:
    if cert.status != "active":
        return "revoked"
    if on_date < cert.valid_from:
        return "not_yet_valid"
    left = days_left(cert.valid_to, on_date)
    if left < 0:
        return "expired"
    return "expiring" if left <= warn_days else "valid"


def requirement_problem(certs: Iterable[CertFact], cert_type: str, on_date: date) -> Problem | None:
    """None when an active certificate of ``cert_type`` is valid on ``on_date``, else what is wrong."""
    states = {cert_state(c, on_date) for c in certs if c.cert_type == cert_type}
    if states & {"valid", "expiring"}:
        return None
    if "expired" in states:
        return "expired"
    if "not_yet_valid" in states:
        return "not_yet_valid"
    return "missing"


def applies(req: RequirementFact, supplier_id: int, category_ids: frozenset[int]) -> bool:
    """A requirement applies to this supplier and delivery: its supplier (if any) is this one and its
    category (if any) is among the delivered items' categories and their ancestors."""
    if req.supplier_id is not None and req.supplier_id != supplier_id:
        return False
    return req.category_id is None or req.category_id in category_ids


def verdict(
    supplier_id: int,
    supplier_code: str,
    requirements: Iterable[RequirementFact],
    certs: Iterable[CertFact],
    on_date: date,
    category_ids: frozenset[int] = frozenset(),
) -> CertificateVerdict:
    """The strictest action of the unmet requirements that apply (block over quarantine over ok)."""
    certs = list(certs)
    action: Action = "ok"
    reasons: set[str] = set()
    for req in requirements:
        if not applies(req, supplier_id, category_ids):
            continue
        problem = requirement_problem(certs, req.cert_type, on_date)
        if problem is None:
            continue
        reasons.add(f"certificate_{problem}:{req.cert_type}:{supplier_code}")
        if _SEVERITY[req.action] > _SEVERITY[action]:
            action = req.action  # type: ignore[assignment]
    return CertificateVerdict(action=action, reasons=tuple(sorted(reasons)))


def warning_due(valid_to: date, on_date: date, thresholds: tuple[int, ...] = THRESHOLDS) -> str | None:
    """The warning due on ``on_date`` for a certificate ending on ``valid_to``: ``"expired"`` once it has
    expired, else the tightest threshold (in days, as text) it is within, else None. Told once each."""
    left = days_left(valid_to, on_date)
    if left < 0:
        return "expired"
    within = [t for t in thresholds if left <= t]
    return str(min(within)) if within else None

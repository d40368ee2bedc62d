"""Pure rules of supplier certificates: states, boundaries, requirement problems, verdicts, warnings."""

from __future__ import annotations

from datetime import date

from boh.catalog.certificates.domain import (
    CertFact,
    CertificateVerdict,
    RequirementFact,
    cert_state,
    requirement_problem,
    verdict,
    warning_due,
)

D = date(2026, 12, 6)


def test_state_boundaries() -> None:
    c = CertFact("organic", date(2026, 1, 1), D)
    assert cert_state(c, D) == "expiring"  # its last day: still valid
    assert cert_state(c, date(2026, 12, 7)) == "expired"
    assert cert_state(c, date(2025, 12, 31)) == "not_yet_valid"
    assert cert_state(c, date(2026, 1, 1)) == "valid"
    assert cert_state(CertFact("organic", date(2026, 1, 1), date(2027, 1, 5)), D) == "expiring"  # 30 days left
    assert cert_state(CertFact("organic", date(2026, 1, 1), date(2027, 1, 6)), D) == "valid"  # 31 days left
    assert cert_state(CertFact("organic", date(2026, 1, 1), date(2027, 1, 6), "revoked"), D) == "revoked"


def test_requirement_problem_prefers_expired_over_missing() -> None:
    old = CertFact("organic", date(2025, 1, 1), date(2026, 12, 5))
    future = CertFact("organic", date(2026, 12, 7), date(2027, 12, 7))
    other = CertFact("halal", date(2025, 1, 1), date(2027, 12, 5))
    assert requirement_problem([old, other], "organic", D) == "expired"
    assert requirement_problem([future], "organic", D) == "not_yet_valid"
    assert requirement_problem([old, future], "organic", D) == "expired"
    assert requirement_problem([other], "organic", D) == "missing"
    assert requirement_problem([old, CertFact("organic", date(2026, 12, 6), D)], "organic", D) is None
    revoked = CertFact("organic", date(2025, 1, 1), date(2027, 12, 5), "revoked")
    assert requirement_problem([revoked], "organic", D) == "missing"


def test_verdict_takes_the_strictest_unmet_requirement() -> None:
    reqs = [
        RequirementFact("food_safety", "quarantine"),
        RequirementFact("organic", "block", category_id=7),
        RequirementFact("halal", "block", supplier_id=99),
    ]
    certs = [CertFact("food_safety", date(2025, 1, 1), date(2026, 12, 5))]
    assert verdict(1, "GF", reqs, certs, D) == CertificateVerdict("quarantine", ("certificate_expired:food_safety:GF",))
    assert verdict(1, "GF", reqs, certs, D, frozenset({7, 3})) == CertificateVerdict(
        "block", ("certificate_expired:food_safety:GF", "certificate_missing:organic:GF")
    )
    assert verdict(99, "HL", reqs[2:], [], D) == CertificateVerdict("block", ("certificate_missing:halal:HL",))
    assert verdict(1, "GF", reqs[2:], [], D) == CertificateVerdict("ok", ())


def test_warnings_once_per_threshold() -> None:
    end = date(2027, 1, 5)
    assert warning_due(end, date(2026, 12, 5)) is None  # 31 days left
    assert warning_due(end, D) == "30"  # 30 days left
    assert warning_due(end, date(2026, 12, 28)) == "30"  # 8 days left
    assert warning_due(end, date(2026, 12, 29)) == "7"  # 7 days left
    assert warning_due(end, end) == "7"
    assert warning_due(end, date(2027, 1, 6)) == "expired"

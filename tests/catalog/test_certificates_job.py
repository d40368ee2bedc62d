"""The daily certificate expiry job: buyers told once per certificate and threshold (30 days, 7 days,
expired), never again on the following days; a renewal ends the warnings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from boh.catalog.certificates.tasks import check_certificates
from boh.notify.models import Notification
from tests.catalog.cert_helpers import make_certificate
from tests.catalog.helpers import make_supplier
from tests.factories import make_tenant, make_user


def _told(runtime) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        rows = s.scalars(select(Notification).order_by(Notification.id)).all()
        return [(r.kind, r.dedupe_key or "", r.params["number"]) for r in rows]


def test_warnings_go_out_once_per_threshold(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "buyer", [("buyer", None)])
    make_user(runtime, t, "manager", [("store_manager", None)])  # not a buyer: not told
    cert = make_certificate(runtime, t, sup, "organic", number="ORG-1", valid_to=date(2027, 1, 5))
    make_certificate(runtime, t, sup, "halal", number="HAL-1", valid_to=date(2027, 6, 1))  # far: never told
    assert check_certificates(runtime, on=date(2026, 12, 5)) == 0  # 31 days left
    assert check_certificates(runtime, on=date(2026, 12, 6)) == 1  # 30 days left
    for day in (7, 8, 28):
        assert check_certificates(runtime, on=date(2026, 12, day)) == 0  # not every day again
    assert check_certificates(runtime, on=date(2026, 12, 29)) == 1  # 7 days left
    assert check_certificates(runtime, on=date(2027, 1, 5)) == 0  # the last valid day
    assert check_certificates(runtime, on=date(2027, 1, 6)) == 1  # expired
    assert check_certificates(runtime, on=date(2027, 1, 7)) == 0
    key = f"catalog:certificate:{cert}:2027-01-05"
    assert _told(runtime) == [
        ("certificate_expiry", f"{key}:30", "ORG-1"),
        ("certificate_expiry", f"{key}:7", "ORG-1"),
        ("certificate_expiry", f"{key}:expired", "ORG-1"),
    ]


def test_a_renewal_ends_the_warnings(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "buyer", [("buyer", None)])
    make_certificate(runtime, t, sup, "organic", number="ORG-1", valid_to=date(2027, 1, 5))
    make_certificate(runtime, t, sup, "organic", number="ORG-2", valid_from=date(2027, 1, 1), valid_to=date(2028, 1, 5))
    assert check_certificates(runtime, on=date(2026, 12, 20)) == 0
    assert check_certificates(runtime, on=date(2027, 1, 6)) == 0
    assert _told(runtime) == []

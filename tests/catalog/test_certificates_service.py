"""Supplier certificates on a real database: the receipt verdict (boundaries, missing vs expired, category
requirements, supplier-specific requirements), idempotent creation, audit, supplier scoping."""

from __future__ import annotations

import json
from datetime import date

import pytest

from boh.catalog.api import CertificateVerdict, certificate_verdict
from boh.catalog.certificates import service
from boh.catalog.certificates.models import SupplierCertificate
from boh.catalog.certificates.schemas import CertificateCreate, CertificateUpdate
from boh.catalog.errors import DuplicateCertificate, SupplierNotFound
from tests.catalog.cert_helpers import make_certificate, make_requirement
from tests.catalog.helpers import audits, make_category, make_item, make_supplier
from tests.factories import make_tenant

D = date(2026, 12, 6)


def _verdict(rt, t, supplier_id: int, on: date = D, items: tuple[int, ...] = ()) -> CertificateVerdict:
    with rt.session_factory() as s:
        return certificate_verdict(s, t.id, supplier_id, on, items)


def test_no_policy_means_ok(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    assert _verdict(runtime, t, sup) == CertificateVerdict("ok", ())


def test_valid_to_is_the_last_valid_day(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_requirement(runtime, t, "food_safety", "block")
    make_certificate(runtime, t, sup, "food_safety", valid_to=D)
    assert _verdict(runtime, t, sup, D) == CertificateVerdict("ok", ())
    assert _verdict(runtime, t, sup, date(2026, 12, 7)) == CertificateVerdict(
        "block", ("certificate_expired:food_safety:GF",)
    )
    assert _verdict(runtime, t, sup, date(2025, 12, 31)) == CertificateVerdict(
        "block", ("certificate_not_yet_valid:food_safety:GF",)
    )


def test_missing_vs_expired_and_quarantine_policy(runtime) -> None:
    t = make_tenant(runtime)
    a, b = make_supplier(runtime, t, "AAA"), make_supplier(runtime, t, "BBB")
    make_requirement(runtime, t, "food_licence", "quarantine")
    make_certificate(runtime, t, a, "food_licence", valid_to=date(2026, 11, 30))
    assert _verdict(runtime, t, a) == CertificateVerdict("quarantine", ("certificate_expired:food_licence:AAA",))
    assert _verdict(runtime, t, b) == CertificateVerdict("quarantine", ("certificate_missing:food_licence:BBB",))
    # a renewal makes it whole again
    make_certificate(runtime, t, a, "food_licence", valid_from=date(2026, 12, 1), valid_to=date(2027, 11, 30))
    assert _verdict(runtime, t, a) == CertificateVerdict("ok", ())


def test_category_requirement_applies_to_items_of_the_category_and_below(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    organic = make_category(runtime, t, "ORGANIC")
    veg = make_category(runtime, t, "ORG-VEG", parent_id=organic)
    other = make_category(runtime, t, "DRY")
    carrot = make_item(runtime, t, "CARROT", category_id=veg)
    rice = make_item(runtime, t, "RICE", category_id=other)
    make_requirement(runtime, t, "organic", "block", category_id=organic)
    assert _verdict(runtime, t, sup) == CertificateVerdict("ok", ())  # no items named: no category rule
    assert _verdict(runtime, t, sup, items=(rice,)) == CertificateVerdict("ok", ())
    assert _verdict(runtime, t, sup, items=(rice, carrot)) == CertificateVerdict(
        "block", ("certificate_missing:organic:GF",)
    )
    make_certificate(runtime, t, sup, "organic", valid_to=date(2027, 3, 1))
    assert _verdict(runtime, t, sup, items=(rice, carrot)) == CertificateVerdict("ok", ())


def test_supplier_specific_requirement_and_strictest_action(runtime) -> None:
    t = make_tenant(runtime)
    a, b = make_supplier(runtime, t, "AAA"), make_supplier(runtime, t, "BBB")
    make_requirement(runtime, t, "halal", "block", supplier_id=a)
    make_requirement(runtime, t, "food_safety", "quarantine")
    assert _verdict(runtime, t, a) == CertificateVerdict(
        "block", ("certificate_missing:food_safety:AAA", "certificate_missing:halal:AAA")
    )
    assert _verdict(runtime, t, b) == CertificateVerdict("quarantine", ("certificate_missing:food_safety:BBB",))


def test_revoked_certificate_no_longer_counts(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_requirement(runtime, t, "food_safety", "block")
    cert = make_certificate(runtime, t, sup, "food_safety")
    assert _verdict(runtime, t, sup).action == "ok"
    with runtime.system_uow(t.id) as uow:
        service.update_certificate(uow, cert, CertificateUpdate(status="revoked"))
        uow.commit()
    assert _verdict(runtime, t, sup) == CertificateVerdict("block", ("certificate_missing:food_safety:GF",))
    [rec] = audits(runtime, "catalog.certificate.update")
    assert json.loads(rec.before or "{}") == {"status": "active"}
    assert json.loads(rec.after or "{}") == {"status": "revoked"}


def test_other_tenants_supplier_is_not_found(runtime) -> None:
    t, other = make_tenant(runtime), make_tenant(runtime, "OTHER")
    sup = make_supplier(runtime, other, "GF")
    with pytest.raises(SupplierNotFound), runtime.session_factory() as s:
        certificate_verdict(s, t.id, sup, D)


def test_create_is_idempotent_on_the_number(runtime) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    data = CertificateCreate(type="organic", number="ORG-1", issuer="Ecocert", valid_from=D, valid_to=date(2027, 1, 1))
    with runtime.system_uow(t.id) as uow:
        first, created = service.create_certificate(uow, sup, data)
        uow.commit()
    assert created is True
    with runtime.system_uow(t.id) as uow:
        again, created = service.create_certificate(uow, sup, data)
        assert (again.id, created) == (first.id, False)
        changed = data.model_copy(update={"valid_to": date(2027, 2, 1)})
        with pytest.raises(DuplicateCertificate):
            service.create_certificate(uow, sup, changed)
    with runtime.session_factory() as s:
        assert s.query(SupplierCertificate).count() == 1
    assert len(audits(runtime, "catalog.certificate.create")) == 1

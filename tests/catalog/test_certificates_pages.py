"""Certificate pages: the supplier page lists certificates with state badges and takes new ones (with the
document), the edit page, the certificates-to-renew page with the policy, and the today page's part."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from boh.catalog.certificates.models import CertificateRequirement, SupplierCertificate
from boh.kernel.clock import clock
from tests.catalog.cert_helpers import make_certificate
from tests.catalog.helpers import make_supplier
from tests.factories import make_tenant, make_user
from tests.web.helpers import csrf, page_login, post_form

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with clock.frozen(datetime(2026, 12, 6, 9, 0, tzinfo=UTC)):
        yield


def _certs(runtime) -> list[SupplierCertificate]:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return list(s.scalars(select(SupplierCertificate).order_by(SupplierCertificate.id)))


def test_supplier_page_lists_and_adds_certificates(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_certificate(runtime, t, sup, "organic", number="ORG-1", valid_to=date(2026, 12, 20))
    make_certificate(runtime, t, sup, "halal", number="HAL-1", valid_to=date(2026, 11, 30))
    make_certificate(runtime, t, sup, "food_safety", number="FS-1", valid_to=date(2027, 12, 31))
    make_user(runtime, t, "buyer", [("buyer", None)], locale="en")
    page_login(client, "buyer")
    html = client.get(f"/catalog/suppliers/{sup}").text
    assert 'data-testid="certificates-table"' in html
    assert "Expires in 14 days" in html and "Expired" in html and ">Valid<" in html
    form = {"csrf_token": csrf(client), "type": "food_licence", "number": "JY-123", "issuer": "SAMR",
            "valid_from": "2026-01-01", "valid_to": "2027-01-01"}  # fmt: skip
    r = client.post(f"/catalog/suppliers/{sup}/certificates", data=form,
                    files={"document": ("licence.pdf", PDF, "application/pdf")}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    new = _certs(runtime)[-1]
    assert (new.cert_type, new.number, new.document_name) == ("food_licence", "JY-123", "licence.pdf")
    doc = client.get(f"/catalog/certificates/{new.id}/document")
    assert (doc.status_code, doc.content) == (200, PDF)


def test_bad_certificate_form_shows_errors_and_writes_nothing(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "buyer", [("buyer", None)])
    page_login(client, "buyer")
    form = {"type": "organic", "number": "", "issuer": "", "valid_from": "2026-01-01", "valid_to": "2025-01-01"}
    r = post_form(client, f"/catalog/suppliers/{sup}/certificates", form)
    assert r.status_code == 422 and 'data-testid="form-errors"' in r.text
    assert _certs(runtime) == []


def test_edit_page_revokes(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    cert = make_certificate(runtime, t, sup, "organic", number="ORG-1")
    make_user(runtime, t, "buyer", [("buyer", None)])
    page_login(client, "buyer")
    assert "ORG-1" in client.get(f"/catalog/certificates/{cert}").text
    r = post_form(client, f"/catalog/certificates/{cert}",
                  {"number": "ORG-1", "issuer": "Ecocert", "valid_from": "2026-01-01", "valid_to": "2027-06-30",
                   "scope_note": "", "status": "revoked"})  # fmt: skip
    assert r.status_code == 303, r.text
    [row] = _certs(runtime)
    assert (row.status, row.issuer) == ("revoked", "Ecocert")
    r = post_form(client, f"/catalog/certificates/{cert}",
                  {"number": "", "issuer": "x", "valid_from": "2026-01-01", "valid_to": "2027-06-30"})  # fmt: skip
    assert r.status_code == 422 and 'id="e-number"' in r.text
    [row] = _certs(runtime)
    assert (row.number, row.issuer, row.status) == ("ORG-1", "Ecocert", "revoked")  # nothing written


def test_renew_page_policy_and_today_part_in_chinese(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_certificate(runtime, t, sup, "organic", number="ORG-1", valid_to=date(2026, 12, 20))
    make_user(runtime, t, "buyer", [("buyer", None)], locale="zh_CN")
    page_login(client, "buyer")
    form = {"type": "organic", "action": "quarantine", "supplier_id": str(sup), "category_id": ""}
    r = post_form(client, "/catalog/certificate-requirements", form)
    assert r.status_code == 303, r.text
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CertificateRequirement)) == 1
    assert 'data-testid="certificates-link"' in client.get("/catalog/suppliers").text
    html = client.get("/catalog/certificates").text
    assert "ORG-1" in html and 'data-testid="requirements-table"' in html
    assert "隔离" in html  # the quarantine action, translated
    home = client.get("/").text
    assert 'data-testid="todo-certificates-expiring"' in home and "ORG-1" in home


def test_supplier_user_sees_certificates_without_policy_form(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "vendor", [("supplier", None)], supplier_id=sup)
    page_login(client, "vendor")
    html = client.get(f"/catalog/suppliers/{sup}").text
    assert 'data-testid="certificate-add"' in html
    html = client.get("/catalog/certificates").text
    assert 'data-testid="requirement-form"' not in html

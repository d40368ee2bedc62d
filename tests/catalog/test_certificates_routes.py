"""Certificates API: CRUD and idempotent create, problem+json, permissions (buyer and HQ write, supplier
users only their own supplier's), document upload, expiring list, verdict and the requirement policy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from boh.catalog.certificates.models import CertificateRequirement, SupplierCertificate
from boh.kernel.audit import AuditRecord
from boh.kernel.clock import clock
from tests.catalog.cert_helpers import make_certificate, make_requirement
from tests.catalog.helpers import make_supplier
from tests.factories import login, make_tenant, make_user

API = "/api/v1/catalog"
BODY = {"type": "organic", "number": "ORG-2026-001", "issuer": "Ecocert", "valid_from": "2026-01-01",
        "valid_to": "2026-12-20", "scope_note": "Vegetables"}  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with clock.frozen(datetime(2026, 12, 6, 9, 0, tzinfo=UTC)):
        yield


def _count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _audits(runtime, prefix: str) -> int:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action.like(prefix + "%"))) or 0


def test_buyer_records_lists_changes_and_removes(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    r = client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json=BODY)
    assert r.status_code == 201, r.text
    cert = r.json()
    assert (cert["type"], cert["state"], cert["days_left"], cert["supplier_code"]) == ("organic", "expiring", 14, "GF")
    again = client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json=BODY)
    assert (again.status_code, again.json()["id"]) == (200, cert["id"])  # a retry: the same certificate
    clash = client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json={**BODY, "issuer": "Other"})
    assert clash.status_code == 409 and clash.json()["code"] == "catalog.duplicate_certificate"
    assert clash.headers["content-type"].startswith("application/problem+json")
    listed = client.get(f"{API}/suppliers/{sup}/certificates", headers=h).json()
    assert [c["number"] for c in listed["items"]] == ["ORG-2026-001"] and listed["total"] == 1
    r = client.patch(f"{API}/certificates/{cert['id']}", headers=h, json={"valid_to": "2027-12-20"})
    assert (r.status_code, r.json()["state"]) == (200, "valid")
    assert client.delete(f"{API}/certificates/{cert['id']}", headers=h).status_code == 204
    assert client.get(f"{API}/certificates/{cert['id']}", headers=h).status_code == 404
    assert _count(runtime, SupplierCertificate) == 0
    assert _audits(runtime, "catalog.certificate.") == 3  # create, update, delete


def test_invalid_input_reports_every_field_and_writes_nothing(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    bad = {**BODY, "type": "kosher", "number": "", "valid_to": "2025-01-01"}
    r = client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json=bad)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    locs = {tuple(e["loc"][-1:]) for e in r.json()["errors"]}
    assert {("type",), ("number",)} <= locs
    r = client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json={**BODY, "valid_to": "2025-01-01"})
    assert r.status_code == 422
    assert _count(runtime, SupplierCertificate) == 0 and _audits(runtime, "catalog.certificate") == 0


def test_supplier_users_record_only_their_own(runtime, client) -> None:
    t = make_tenant(runtime)
    mine, theirs = make_supplier(runtime, t, "MINE"), make_supplier(runtime, t, "THEIRS")
    other_cert = make_certificate(runtime, t, theirs, "halal")
    make_user(runtime, t, "vendor", [("supplier", None)], supplier_id=mine)
    h = login(client, "vendor")
    assert client.post(f"{API}/suppliers/{mine}/certificates", headers=h, json=BODY).status_code == 201
    assert client.post(f"{API}/suppliers/{theirs}/certificates", headers=h, json=BODY).status_code == 404
    assert client.get(f"{API}/suppliers/{theirs}/certificates", headers=h).status_code == 404
    assert client.get(f"{API}/certificates/{other_cert}", headers=h).status_code == 404
    assert client.patch(f"{API}/certificates/{other_cert}", headers=h, json={"issuer": "x"}).status_code == 404
    assert [c["supplier_code"] for c in client.get(f"{API}/certificates/expiring", headers=h).json()["items"]] == [
        "MINE"
    ]
    r = client.post(f"{API}/certificate-requirements", headers=h, json={"type": "halal", "action": "block"})
    assert r.status_code == 403
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(SupplierCertificate).where(
            SupplierCertificate.supplier_id == theirs)) == 1  # fmt: skip


def test_readers_cannot_write_and_other_tenants_see_nothing(runtime, client) -> None:
    t, other = make_tenant(runtime), make_tenant(runtime, "OTHER")
    sup = make_supplier(runtime, t, "GF")
    cert = make_certificate(runtime, t, sup)
    make_user(runtime, t, "manager", [("store_manager", None)])
    make_user(runtime, other, "stranger", [("hq_admin", None)])
    make_user(runtime, t, "staff", [("store_staff", None)])
    h = login(client, "manager")
    assert client.get(f"{API}/suppliers/{sup}/certificates", headers=h).status_code == 200
    assert client.post(f"{API}/suppliers/{sup}/certificates", headers=h, json=BODY).status_code == 403
    assert client.patch(f"{API}/certificates/{cert}", headers=h, json={"issuer": "x"}).status_code == 403
    assert client.get(f"{API}/certificates/{cert}", headers=login(client, "staff")).status_code == 403
    s = login(client, "stranger")
    assert client.get(f"{API}/certificates/{cert}", headers=s).status_code == 404
    assert client.get(f"{API}/certificates/expiring", headers=s).json()["total"] == 0
    assert client.delete(f"{API}/certificates/{cert}", headers=s).status_code == 404
    assert _count(runtime, SupplierCertificate) == 1


def test_document_upload_and_download(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    cert = make_certificate(runtime, t, sup)
    make_user(runtime, t, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    bad = client.put(
        f"{API}/certificates/{cert}/document", headers=h, files={"file": ("x.exe", b"MZ", "application/x-msdownload")}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "catalog.invalid_document"
    assert client.get(f"{API}/certificates/{cert}/document", headers=h).status_code == 404
    r = client.put(
        f"{API}/certificates/{cert}/document", headers=h, files={"file": ("cert.pdf", PDF, "application/pdf")}
    )
    assert r.status_code == 200, r.text
    assert r.json()["document_name"] == "cert.pdf" and r.json()["document_url"] == f"{API}/certificates/{cert}/document"
    got = client.get(f"{API}/certificates/{cert}/document", headers=h)
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PDF, "application/pdf")


def test_expiring_list_skips_renewed_and_far_certificates(runtime, client) -> None:
    t = make_tenant(runtime)
    a, b = make_supplier(runtime, t, "AAA"), make_supplier(runtime, t, "BBB")
    make_certificate(runtime, t, a, "organic", valid_to=date(2026, 12, 20))  # 14 days
    make_certificate(runtime, t, a, "halal", valid_to=date(2026, 11, 30))  # expired
    make_certificate(runtime, t, a, "food_safety", valid_to=date(2027, 6, 30))  # far
    make_certificate(runtime, t, b, "organic", valid_to=date(2026, 12, 10))  # renewed below
    make_certificate(runtime, t, b, "organic", valid_from=date(2026, 12, 1), valid_to=date(2027, 12, 10))
    make_user(runtime, t, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    rows = client.get(f"{API}/certificates/expiring", headers=h).json()["items"]
    assert [(r["supplier_code"], r["type"], r["days_left"], r["state"]) for r in rows] == [
        ("AAA", "halal", -6, "expired"),
        ("AAA", "organic", 14, "expiring"),
    ]
    assert client.get(f"{API}/certificates/expiring?days=7", headers=h).json()["total"] == 1


def test_policy_and_verdict_through_the_api(runtime, client) -> None:
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "GF")
    make_user(runtime, t, "buyer", [("buyer", None)])
    h = login(client, "buyer")
    r = client.post(f"{API}/certificate-requirements", headers=h, json={"type": "food_licence", "action": "quarantine"})
    assert r.status_code == 201, r.text
    req = r.json()
    assert (req["type"], req["action"], req["supplier_id"], req["category_id"]) == (
        "food_licence",
        "quarantine",
        None,
        None,
    )
    v = client.get(f"{API}/suppliers/{sup}/certificate-verdict", headers=h).json()
    assert v == {"action": "quarantine", "reasons": ["certificate_missing:food_licence:GF"]}
    r = client.patch(f"{API}/certificate-requirements/{req['id']}", headers=h, json={"action": "block"})
    assert r.json()["action"] == "block"
    make_certificate(runtime, t, sup, "food_licence", valid_to=date(2026, 12, 6))
    v = client.get(f"{API}/suppliers/{sup}/certificate-verdict?on_date=2026-12-07", headers=h).json()
    assert v == {"action": "block", "reasons": ["certificate_expired:food_licence:GF"]}
    assert client.get(f"{API}/suppliers/{sup}/certificate-verdict", headers=h).json()["action"] == "ok"
    bad = client.post(
        f"{API}/certificate-requirements", headers=h, json={"type": "organic", "action": "block", "category_id": 999999}
    )
    assert bad.status_code == 404 and _count(runtime, CertificateRequirement) == 1
    assert client.delete(f"{API}/certificate-requirements/{req['id']}", headers=h).status_code == 204
    assert _count(runtime, CertificateRequirement) == 0
    make_requirement(runtime, t, "halal", "block", supplier_id=sup)
    assert [r["supplier_code"] for r in client.get(f"{API}/certificate-requirements", headers=h).json()] == ["GF"]

"""Supplier certificates in a real browser: the supplier page lists them with state badges, a buyer adds one
with its document, on a phone and on a desktop, in English and Chinese; the renew page shows the policy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.catalog.certificates.models import SupplierCertificate
from boh.kernel.clock import clock
from tests.catalog.cert_helpers import make_certificate, make_requirement
from tests.catalog.helpers import make_supplier
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with clock.frozen(datetime(2026, 12, 6, 9, 0, tzinfo=UTC)):
        yield


def _world(runtime) -> int:  # type: ignore[no-untyped-def]
    t = make_tenant(runtime)
    sup = make_supplier(runtime, t, "SUP05", name_zh="崇明绿田果蔬专业合作社")
    make_certificate(runtime, t, sup, "organic", number="CN-ORG-2024-0518", valid_to=date(2026, 12, 19))
    make_certificate(runtime, t, sup, "food_safety", number="HACCP-2023-117", valid_to=date(2026, 12, 1))
    make_certificate(runtime, t, sup, "business_licence", number="913100001", valid_to=date(2030, 1, 1))
    make_requirement(runtime, t, "food_safety", "quarantine")
    make_user(runtime, t, "buyer", [("buyer", None)], locale="en")
    make_user(runtime, t, "caigou", [("buyer", None)], locale="zh_CN")
    return sup


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_buyer_adds_a_certificate_with_its_document(runtime, page, shot, size) -> None:
    sup = _world(runtime)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "buyer", path=f"/catalog/suppliers/{sup}")
    rows = page.locator("[data-testid=certificate-row]")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=cert-state]")).to_have_text(["Valid", "Expired", "Expires in 13 days"])
    assert not body_overflows(page)
    shot(page, f"certificates-supplier-en-{size[0]}")
    page.locator("[data-testid=certificate-add] summary").click()
    page.select_option("#f-type", "food_licence")
    page.fill("#f-number", "JY13101150001")
    page.fill("#f-issuer", "SAMR")
    page.fill("#f-valid_from", "2026-01-01")
    page.fill("#f-valid_to", "2028-12-31")
    page.set_input_files("#f-document", files=[{"name": "licence.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("[data-testid=certificate-save]")
    expect(page.locator(".flash")).to_have_text("Certificate JY13101150001 saved.")
    expect(rows).to_have_count(4)
    with runtime.session_factory() as s:
        new = s.scalars(select(SupplierCertificate).where(SupplierCertificate.number == "JY13101150001")).one()
        assert (new.cert_type, new.document_name, new.valid_to) == ("food_licence", "licence.pdf", date(2028, 12, 31))


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_chinese_pages_and_the_renew_page(runtime, page, shot, size) -> None:
    sup = _world(runtime)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "caigou", path=f"/catalog/suppliers/{sup}")
    expect(page.locator("[data-testid=cert-state]")).to_have_text(["有效", "过期", "13 天后到期"])
    assert not body_overflows(page)
    shot(page, f"certificates-supplier-zh-{size[0]}")
    page.goto("/catalog/certificates")
    expect(page.locator("[data-testid=expiring-table] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=requirements-table]")).to_contain_text("隔离批次")
    assert not body_overflows(page)
    shot(page, f"certificates-renew-zh-{size[0]}")
    page.goto("/")
    expect(page.locator("[data-testid=todo-certificates-expiring]")).to_be_visible()
    shot(page, f"certificates-today-zh-{size[0]}")

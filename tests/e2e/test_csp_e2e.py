"""The console under its Content-Security-Policy in Chromium: the main pages (today with its charts, stock,
receiving, counts, transfers, the live feed, an inspection on a phone, inspection analytics) load, draw and
post without one violation, and the inspection screen's script still saves answers through the API with
the session cookie (it sends the page's CSRF token). A control proves the watcher sees a violation."""

from __future__ import annotations

import time
from decimal import Decimal as D
from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from tests.catalog.helpers import make_item
from tests.e2e.helpers import sign_in, watch_csp
from tests.factories import make_tenant, make_user
from tests.inspections.helpers import shop
from tests.inventory.factories import mv, post

pytestmark = pytest.mark.e2e
AT_STORE = {"latitude": 31.2309, "longitude": 121.4737, "accuracy": 15}


def _sign_out(page: Any) -> None:
    page.locator("form[action='/logout'] button").first.click()
    page.wait_for_url("**/login")


def test_console_pages_run_under_the_content_security_policy(
    runtime: Runtime, client: Any, browser: Any, live_server: str, shot: Any
) -> None:
    s = shop(runtime, client)
    for sku in ("RICE", "OIL"):
        item = make_item(runtime, s.tenant, sku)
        post(runtime, s.tenant, mv(s.site, item, "receipt", "20", f"in-{sku}", unit_cost=D("2.00")))
        post(runtime, s.tenant, mv(s.site, item, "sale", "-3", f"sale-{sku}", source_type="floor_sale"))
    body = {"site_id": s.site, "template_id": s.template["id"], "idempotency_key": "csp-1"}
    vid = client.post("/api/v1/inspections/visits", json=body, headers=s.inspector).json()["id"]

    ctx = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1366, "height": 900},
                              geolocation=AT_STORE, permissions=["geolocation"])  # fmt: skip
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": "en", "url": live_server}])
    violations = watch_csp(ctx)
    page = ctx.new_page()
    try:
        sign_in(page, "manager1")
        expect(page.locator("[data-chart-ready]").first).to_be_attached()  # ECharts drew the today page
        chart = page.locator("[data-chart-ready]").first
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # its tooltip
        shot(page, "csp-today-tooltip", full_page=False)
        for path in ("/inventory/stock", "/inventory/receiving", "/inventory/counts", "/inventory/transfers",
                     f"/inventory/live?site_id={s.site}"):  # fmt: skip
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("load")
        _sign_out(page)

        sign_in(page, "hqadmin", path="/inspections/analytics")
        page.wait_for_load_state("load")
        _sign_out(page)

        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, "inspector1", path=f"/inspections/visits/{vid}")
        with page.expect_navigation():  # the page reloads once the server has taken the check-in
            page.click("[data-testid=checkin-button]")  # a fetch POST to the API with the session cookie
        expect(page.locator("[data-testid=visit-status]")).to_have_text("In progress")
        page.locator('[data-item="clean"] input[value="yes"]').check()
        expect(page.locator("[data-testid=sync-status]")).to_have_attribute("data-state", "saved")
        assert violations == [], "\n".join(violations)

        # the control: an inline script is refused and reported
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1';"
                      " document.head.appendChild(s); }")  # fmt: skip
        deadline = time.monotonic() + 10
        while not any("script-src" in v for v in violations) and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright deliver the report
    finally:
        ctx.close()
    assert any("script-src" in v for v in violations), violations


def test_the_camera_scanner_runs_under_the_content_security_policy(
    runtime: Runtime, browser: Any, live_server: str
) -> None:
    """ZXing (loaded from /static/vendor on the first tap) reads Chromium's fake camera: no violation (in a
    second Chromium of the same Playwright, started with a fake camera)."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    t = make_tenant(runtime)
    make_user(runtime, t, "manager", [("store_manager", None)], locale="en")
    camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera])
    ctx = with_camera.new_context(base_url=live_server, locale="en-US", viewport={"width": 390, "height": 844},
                                  permissions=["camera"])  # fmt: skip
    ctx.set_default_timeout(15_000)
    violations = watch_csp(ctx)
    try:
        page = ctx.new_page()
        sign_in(page, "manager", path="/inventory/chain")
        page.click("[data-scan-camera]")
        expect(page.locator("[data-scan-status]")).to_have_text("Point the camera at the barcode.")
        expect(page.locator("[data-scan-panel] video")).to_be_visible()
        page.click("[data-scan-stop]")
    finally:
        with_camera.close()
    assert violations == [], "\n".join(violations)

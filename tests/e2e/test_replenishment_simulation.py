"""The simulation page in a real browser: a stored run's trade-off curves and the baseline-vs-BOH charts
drawn, an operating point picked for a category and saved, on a desktop in English and on a phone in
Chinese (no sideways scrolling), without a Content-Security-Policy violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from boh.replenishment.simulation import service
from tests.e2e.helpers import body_overflows, sign_in, watch_csp
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.e2e
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def test_simulation_page_on_desktop_and_phone(runtime: Runtime, browser: Any, live_server: str, shot: Any) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "planner", [("hq_admin", None)])
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        service.demo_run(uow)
        uow.commit()
    for lang, viewport, tag, point in (("en", DESKTOP, "desktop-en", "boh:0.7"), ("zh", PHONE, "phone-zh", "boh:0.9")):
        ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=viewport)
        ctx.set_default_timeout(15_000)
        ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
        violations = watch_csp(ctx)
        page = ctx.new_page()
        try:
            sign_in(page, "planner", path="/replenishment/simulation")
            expect(page.locator("h1")).to_have_text("Policy simulation" if lang == "en" else "补货策略仿真")
            expect(page.locator("[data-chart] canvas")).to_have_count(5)  # ECharts drew every chart
            assert not body_overflows(page), f"{tag}: the simulation page scrolls sideways"
            shot(page, f"replenishment-simulation-{tag}")
            page.select_option("#f-cat", "1")  # the form submits itself on change
            expect(page).to_have_url(re.compile(r"category=1"))
            page.locator(f'input[name=point][value="{point}"]').check()
            page.locator("[data-testid=choose] button[type=submit]").click()
            expect(page.locator("[data-testid=chosen]")).to_contain_text(point.split(":")[1])
            expect(page.locator("[data-testid=chosen]")).to_contain_text("chosen by" if lang == "en" else "选定")
            assert not violations, violations
        finally:
            ctx.close()

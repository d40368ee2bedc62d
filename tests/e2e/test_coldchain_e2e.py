"""The cold chain in a real browser: the store manager opens the dashboard (a chart per unit, drawn by
ECharts, the excursion marked), opens the excursion, quarantined lot and all, releases the lot with a reason
and records the corrective action, then signs the day off in the HACCP log; on a desktop and on a phone, in
English and in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.coldchain.models import Exposure, Record
from tests.coldchain.helpers import ingest, make_world, readings
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _page(browser: Any, live_server: str, viewport: dict[str, int], lang: str) -> Any:
    ctx = browser.new_context(base_url=live_server, viewport=viewport, locale="en-US" if lang == "en" else "zh-CN")
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
    return ctx.new_page()


def test_dashboard_decision_and_log_in_a_browser(runtime: Runtime, browser: Any, live_server: str, shot: Any) -> None:
    w = make_world(runtime, tt_limit_min=20)
    make_user(runtime, w.tenant, "manager", [("store_manager", "S001")])
    ingest(runtime, w.tenant, readings([3.0] * 10 + [8.5] * 40 + [3.0] * 20 + [3.5] * 30))
    page = _page(browser, live_server, DESKTOP, "en")
    sign_in(page, "manager", path="/coldchain/?day=2026-12-01")
    expect(page.locator("[data-testid=unit-F1] [data-chart-ready]")).to_have_count(1)  # ECharts drew it
    expect(page.locator("[data-testid=unit-F1] [data-testid=unit-excursion]")).to_have_text("Temperature excursion")
    expect(page.locator("[data-testid=unit-Z1] [data-testid=unit-excursion]")).to_have_count(0)
    shot(page, "coldchain-dashboard-desktop-en")
    page.click("[data-testid=excursion-link]")
    expect(page.locator("[data-testid=lot-M-1] [data-testid=lot-status]")).to_have_text("Quarantined")
    shot(page, "coldchain-excursion-desktop-en")
    page.fill("[data-testid=lot-M-1] [data-testid=reason]", "probed 4 °C in the core; within the limit")
    page.click("[data-testid=lot-M-1] [data-testid=release]")
    expect(page.locator("[data-testid=lot-M-1] [data-testid=lot-status]")).to_have_text("Released")
    page.fill("[data-testid=action-note]", "door seal replaced")
    page.click("[data-testid=action-submit]")
    expect(page.locator("[data-testid=excursion-status]")).to_have_text("Corrective action recorded")
    page.goto(f"/coldchain/units/{w.fridge}/log?day=2026-12-01")
    page.fill("[data-testid=signoff-note]", "all good after the fix")
    page.click("[data-testid=signoff]")
    expect(page.locator("[data-testid=log-record]")).to_have_count(2)
    shot(page, "coldchain-log-desktop-en")
    with runtime.session_factory() as s:
        assert [x.status for x in s.scalars(select(Exposure))] == ["released"]
        assert sorted(r.kind for r in s.scalars(select(Record))) == ["corrective", "signoff"]
    page.context.close()

    for lang, viewport, name in (("zh", PHONE, "phone-zh"), ("en", PHONE, "phone-en"), ("zh", DESKTOP, "desktop-zh")):
        p = _page(browser, live_server, viewport, lang)
        sign_in(p, "manager", path="/coldchain/?day=2026-12-01")
        expect(p.locator("[data-testid=unit-F1] [data-chart-ready]")).to_have_count(1)
        if lang == "zh":
            expect(p.locator("[data-testid=unit-F1] [data-testid=unit-excursion]")).to_have_text("温度偏离")
        assert not body_overflows(p), f"{name}: the dashboard scrolls sideways"
        shot(p, f"coldchain-dashboard-{name}")
        p.click("[data-testid=unit-F1] [data-testid=log-link]")
        expect(p.locator("[data-testid=hourly]")).to_be_visible()
        assert not body_overflows(p), f"{name}: the log scrolls sideways"
        shot(p, f"coldchain-log-{name}")
        p.goto(p.url.replace(f"/units/{w.fridge}/log", "/excursions/1").split("?")[0])
        shot(p, f"coldchain-excursion-{name}")
        p.context.close()

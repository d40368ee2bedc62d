"""Forecasting pages in a real browser: the forecast-vs-actual chart of a site x item (history, forecast, the
shaded 10-90% band, the promotion marked), the accuracy dashboard and the promotions calendar, and the "run
forecasts" button (a queued run whose page shows its progress, then its result once the worker is done), on a
desktop and a phone in English and Chinese (no sideways scrolling), without a Content-Security-Policy
violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from boh.forecasting import service, tasks
from boh.kernel.clock import utcnow
from tests.e2e.helpers import body_overflows, sign_in, watch_csp
from tests.factories import login, make_user
from tests.forecasting.test_service import _sell, _world

pytestmark = pytest.mark.e2e
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def test_forecast_pages_on_desktop_and_phone(runtime: Runtime, client: Any, browser: Any, live_server: str,
                                             shot: Any) -> None:  # fmt: skip
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    today = utcnow().date()
    r = client.post("/api/v1/forecasting/promotions", headers=h, json={
        "item_id": items[0], "site_ids": [sites[0]], "name": "Milk week", "discount": "0.8", "display": "endcap",
        "start_day": str(today + timedelta(days=1)), "end_day": str(today + timedelta(days=3))})  # fmt: skip
    assert r.status_code == 201, r.text
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        service.run_forecast(uow, service.RunOptions(horizon=14, origin=today - timedelta(days=1)))
        uow.commit()

    views = (("en", DESKTOP, "desktop-en"), ("zh", PHONE, "phone-zh"), ("zh", DESKTOP, "desktop-zh"),
             ("en", PHONE, "phone-en"))  # fmt: skip
    for lang, viewport, tag in views:
        ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=viewport)
        ctx.set_default_timeout(15_000)
        ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
        violations = watch_csp(ctx)
        page = ctx.new_page()
        try:
            sign_in(page, "hqadmin", path="/forecasting/")
            expect(page.locator("h1")).to_have_text("Forecasts" if lang == "en" else "需求预测")
            page.goto(f"/forecasting/?site_id={sites[0]}&item_id={items[0]}")
            expect(page.locator("[data-testid=series]")).to_be_visible()
            expect(page.locator("[data-testid=quantiles] tbody tr")).to_have_count(14)
            # the first two days carry the daily-ordering model's demand beside the sales forecast (model 1.13):
            # marked, in their own column, and said so under the chart
            ordering = page.locator("[data-testid=quantiles] tbody tr[data-ordering]")
            expect(ordering).to_have_count(2)
            expect(ordering.first.locator("td").first).to_contain_text("◆")
            demand = page.locator("[data-testid=quantiles] tbody [data-testid=demand]").all_inner_texts()
            assert len(demand) == 14 and all(d != "—" for d in demand[:2]) and set(demand[2:]) == {"—"}
            expect(page.locator("[data-testid=ordering-legend]")).to_contain_text(
                "demand forecast for store orders" if lang == "en" else "订货用需求预测"
            )
            expect(page.locator("[data-chart] canvas").first).to_be_visible()  # ECharts drew the chart
            band = page.evaluate("""() => {
                const el = document.querySelector('[data-chart=forecast]');
                const opt = window.echarts.getInstanceByDom(el).getOption();
                return opt.series.filter(s => s.stack === 'band').map(s => [s.data.filter(v => v !== null).length,
                                                                              !!s.areaStyle]);
            }""")
            assert band == [[14, False], [14, True]]  # the 14 forecast days: a base line and the shaded band
            box = page.locator("[data-chart=forecast]").bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.93, box["y"] + box["height"] * 0.6)  # a forecast day
            shot(page, f"forecast-tooltip-{tag}", full_page=False)
            expect(page.locator("h1")).to_have_text("Forecasts" if lang == "en" else "需求预测")
            assert "★" in page.locator("[data-testid=series]").inner_text()  # the promotion days are marked
            assert not body_overflows(page), f"{tag}: the forecast page scrolls sideways"
            links = page.locator("nav.series-links a")  # every series by its item's name, in a list that wraps
            expect(page.locator("nav.series-links a", has_text="Item MILK-1L")).to_have_count(2)  # at both sites
            assert links.first.evaluate("a => getComputedStyle(a.parentElement).flexWrap") == "wrap"
            shot(page, f"forecast-{tag}")
            page.goto("/forecasting/accuracy")
            expect(page.locator("[data-testid=accuracy-site] tbody tr")).to_have_count(2)
            assert not body_overflows(page)
            shot(page, f"forecast-accuracy-{tag}")
            page.goto("/forecasting/promotions")
            expect(page.locator("[data-testid=promo]").first).to_contain_text("Milk week")
            shot(page, f"forecast-promotions-{tag}")
            assert not violations, violations  # the pages run under the console's Content-Security-Policy
        finally:
            ctx.close()

    for lang, viewport, tag in (("en", DESKTOP, "desktop-en"), ("zh", PHONE, "phone-zh")):
        ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=viewport)
        ctx.set_default_timeout(15_000)
        ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
        violations = watch_csp(ctx)
        page = ctx.new_page()
        try:  # the "run forecasts" button: a queued run whose page follows it until the worker is done
            sign_in(page, "hqadmin", path="/forecasting/")
            page.get_by_test_id("run-forecast").click()
            expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "queued")
            expect(page.get_by_test_id("run-progress")).to_be_visible()
            assert not body_overflows(page)
            shot(page, f"forecast-run-queued-{tag}")
            assert len(tasks.run_queued(runtime)["done"]) == 1  # the worker's job, driven here
            expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "done")  # the page polled
            expect(page.get_by_test_id("run-result")).to_contain_text("4")
            shot(page, f"forecast-run-done-{tag}")
            assert not violations, violations
        finally:
            ctx.close()

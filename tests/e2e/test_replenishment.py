"""Replenishment in a real browser: a store manager opens the order suggestions on a phone, opens a line's
explanation, changes its quantity beyond the tolerance band with a reason, and the line lands in the
regional manager's approval inbox (desktop), who approves it; the rules page; every page in both languages,
none scrolling sideways on the phone, no CSP violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from tests.e2e.helpers import sign_in, watch_csp
from tests.factories import make_user
from tests.replenishment.helpers import make_world, run_day

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _context(browser: Any, live_server: str, viewport: dict[str, int], lang: str) -> Any:
    ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=viewport, has_touch=viewport == PHONE)
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
    return ctx


def no_side_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def test_manager_changes_a_line_on_a_phone_and_it_is_approved(
    runtime: Runtime, browser: Any, live_server: str, shot: Any
) -> None:
    w = make_world(runtime)
    run_day(runtime, w)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    make_user(runtime, w.tenant, "rmgr", [("regional_manager", None)])
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    ctx = _context(browser, live_server, PHONE, "en")
    csp = watch_csp(ctx)
    page = ctx.new_page()
    try:
        sign_in(page, "mgr", path=f"/replenishment/?site_id={w.s1}")
        line = page.locator("[data-testid=line][data-sku=MILK]")
        expect(line.locator("[data-testid=suggested]")).to_have_text("36")
        line.locator("[data-testid=why] summary").click()
        expect(line.locator("[data-testid=explanation]")).to_contain_text(
            "Rounded up to a case of 12 (rounding down would run out before the next delivery): 27.849 → 36"
        )
        expect(line.locator("[data-testid=explanation]")).to_contain_text("Suggested 36, bound by: case rounding")
        no_side_scroll(page)
        shot(page, "replenishment-review-phone-en")
        line.locator("[data-testid=qty]").fill("60")
        line.locator("[data-testid=reason]").select_option("promotion")
        line.locator("[data-testid=save]").click()
        expect(page.locator(".flash")).to_contain_text("Sent for approval")
        line = page.locator("[data-testid=line][data-sku=MILK]")
        expect(line.locator("[data-testid=line-status]")).to_have_text("Waiting for approval")
        expect(line.locator("[data-testid=changed]")).to_have_text("60")
    finally:
        ctx.close()
    ctx = _context(browser, live_server, PHONE, "zh_CN")
    page = ctx.new_page()
    try:
        sign_in(page, "mgr", path=f"/replenishment/?site_id={w.s1}")
        page.locator("[data-testid=line][data-sku=MILK] [data-testid=why] summary").click()
        expect(page.locator("[data-testid=line][data-sku=MILK] [data-testid=explanation]")).to_contain_text("整箱取整")
        no_side_scroll(page)
        shot(page, "replenishment-review-phone-zh")
    finally:
        ctx.close()
    for lang, approved in (("zh_CN", None), ("en", "Approved.")):
        ctx = _context(browser, live_server, DESKTOP, lang)
        page = ctx.new_page()
        try:
            sign_in(page, "rmgr", path="/replenishment/approvals")
            item = page.locator("[data-testid=approval][data-sku=MILK]")
            expect(item.locator("[data-testid=asked]")).to_have_text("60")
            shot(page, f"replenishment-inbox-desktop-{lang}")
            if approved:
                item.locator("[data-testid=approve]").click()
                expect(page.locator(".flash")).to_contain_text(approved)
                expect(page.locator("[data-testid=inbox-empty]")).to_be_visible()
        finally:
            ctx.close()
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        ctx = _context(browser, live_server, viewport, "zh_CN")
        page = ctx.new_page()
        try:
            sign_in(page, "buyer", path="/replenishment/rules")
            expect(page.locator("[data-testid=kill-switch]")).to_contain_text("自动订货")
            if viewport == PHONE:
                no_side_scroll(page)
            shot(page, f"replenishment-rules-{name}-zh")
        finally:
            ctx.close()
    assert csp == []

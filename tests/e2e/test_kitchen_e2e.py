"""The kitchen in a real browser: on a desktop the recipe list and the meal's recipe card (cost and
allergens rolled up through three levels); on a phone at the kitchen, the production plan's run is started as
a batch and recorded (actual output, waste with a reason), the output lot shown; the pages in both languages,
none scrolling sideways on the phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from boh.kitchen.schemas import PlanCreate
from boh.kitchen.service import plans
from tests.e2e.helpers import sign_in
from tests.factories import make_user
from tests.kitchen.helpers import make_kitchen, receive, standard_recipes

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def no_side_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def _context(browser: Any, live_server: str, viewport: dict[str, int], lang: str) -> Any:
    ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=viewport, has_touch=viewport == PHONE)
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])
    return ctx


def test_recipes_on_a_desktop_and_a_batch_on_a_phone(
    runtime: Runtime, browser: Any, live_server: str, shot: Any
) -> None:
    k = make_kitchen(runtime)
    make_user(runtime, k.tenant, "chef", [("hq_admin", None)])
    ids = standard_recipes(runtime, k)
    for item, cost in ((k.tomato, "3"), (k.oil, "10"), (k.pasta, "2.5"), (k.cheese, "20")):
        receive(runtime, k, k.ck, item, "20", cost)
    with runtime.system_uow(k.tenant.id) as uow:
        demand = [{"item_id": k.sauce, "delivery_date": f"2026-11-{d}", "quantity": "7"} for d in (25, 26, 27)]
        plan = plans.create(
            uow,
            PlanCreate.model_validate(
                {"site_id": k.ck, "start": "2026-11-23", "capacity": {"prep": 480}, "demand": demand}
            ),
        )
        uow.commit()
    for lang in ("en", "zh_CN"):
        ctx = _context(browser, live_server, DESKTOP, lang)
        page = ctx.new_page()
        try:
            sign_in(page, "chef", path=f"/kitchen/?site_id={k.ck}")
            expect(page.locator("[data-testid=recipes]")).to_contain_text("MEAL")
            shot(page, f"kitchen-home-desktop-{lang}")
            page.goto(f"/kitchen/recipes/{ids['meal']}?site_id={k.ck}")
            expect(page.locator("[data-testid=allergens] [data-allergen]")).to_have_count(3)
            expect(page.locator("[data-testid=cost-lines] tbody tr")).to_have_count(4)  # sauce's leaves, pasta, cheese
            shot(page, f"kitchen-recipe-desktop-{lang}")
        finally:
            ctx.close()
    ctx = _context(browser, live_server, PHONE, "en")
    page = ctx.new_page()
    try:
        sign_in(page, "chef", path=f"/kitchen/plans/{plan.id}")
        expect(page.locator("[data-testid=plan-status]")).to_contain_text("Optimal")
        no_side_scroll(page)
        shot(page, "kitchen-plan-phone-en")
        page.locator('[data-day="2026-11-24"] [data-testid=start-batch]').first.click()
        expect(page.locator("[data-testid=batch-head]")).to_contain_text("SAUCE")
        no_side_scroll(page)
        page.fill("input[name=actual_qty]", "6.6")
        page.fill("input[name=waste_qty]", "0.2")
        page.select_option("select[name=waste_reason]", "burnt")
        shot(page, "kitchen-batch-phone-en")
        page.click("[data-testid=record-batch]")
        expect(page.locator("[data-testid=batch-done]")).to_contain_text("yield 94.29 %")
        expect(page.locator("[data-testid=batch-done]")).to_contain_text("Burnt")
        shot(page, "kitchen-batch-done-phone-en")
        ctx.add_cookies([{"name": "boh_lang", "value": "zh_CN", "url": live_server}])
        page.reload()
        expect(page.locator("[data-testid=batch-done]")).to_contain_text("烧焦")
        no_side_scroll(page)
        shot(page, "kitchen-batch-done-phone-zh_CN")
        page.goto(f"/kitchen/plans/{plan.id}")
        expect(page.locator("[data-testid=plan-status]")).to_contain_text("最优")
        no_side_scroll(page)
        shot(page, "kitchen-plan-phone-zh_CN")
        page.goto(f"/kitchen/recipes/{ids['meal']}?site_id={k.ck}")
        no_side_scroll(page)
        shot(page, "kitchen-recipe-phone-zh_CN")
    finally:
        ctx.close()

"""The replenishment settings page in a real browser: a buyer adds a policy for the dairy category with a 99 %
service level, sees it in the table after saving (persisted: read back from the database too), edits it to
97 %, and the next suggestion run uses it (the line's explanation names the policy's service level); the page
in Chinese on a phone does not scroll sideways; no CSP violation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.replenishment import models as m
from tests.e2e.helpers import sign_in, watch_csp
from tests.e2e.test_replenishment import DESKTOP, PHONE, _context, no_side_scroll
from tests.factories import make_user
from tests.replenishment.helpers import make_world, run_day

pytestmark = pytest.mark.e2e


def test_a_buyer_sets_a_policy_in_the_browser_and_the_next_run_uses_it(
    runtime: Runtime, browser: Any, live_server: str, shot: Any
) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    ctx = _context(browser, live_server, DESKTOP, "en")
    csp = watch_csp(ctx)
    page = ctx.new_page()
    try:
        sign_in(page, "buyer", path="/replenishment/settings")
        page.locator("details:has(form[data-testid=policy-form]) summary").click()
        form = page.locator("form[data-testid=policy-form]")
        form.locator("input[name=name]").fill("Dairy 99")
        form.locator("select[name=category_id]").select_option(label="DAIRY · Dairy")
        form.locator("input[name=service_level]").fill("0.99")
        form.locator("button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Policy added.")
        row = page.locator("[data-testid=policy]", has_text="Dairy 99")
        expect(row.locator("[data-testid=service-level]")).to_have_text("0.99")
        with runtime.session_factory() as s:
            saved = s.scalars(select(m.Policy).where(m.Policy.name == "Dairy 99")).one()
            assert (saved.category_id, saved.service_level, saved.active) == (w.dairy, Decimal("0.99"), True)
        row.locator("[data-testid=edit]").click()
        edit = page.locator("[data-testid=edit-policy] form[data-testid=policy-form]")
        expect(edit.locator("input[name=service_level]")).to_have_value("0.99")
        edit.locator("input[name=service_level]").fill("0.97")
        edit.locator("button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Policy saved.")
        expect(page.locator("[data-testid=policy]", has_text="Dairy 99").locator("[data-testid=service-level]")
               ).to_have_text("0.97")  # fmt: skip
        page.reload()  # persisted, not only shown
        expect(page.locator("[data-testid=policy]", has_text="Dairy 99").locator("[data-testid=service-level]")
               ).to_have_text("0.97")  # fmt: skip
        shot(page, "replenishment-settings-desktop-en")
        run_day(runtime, w, key="after-policy")
        page.goto(f"/replenishment/?site_id={w.s1}")
        line = page.locator("[data-testid=line][data-sku=MILK]")
        line.locator("[data-testid=why] summary").click()
        expect(line.locator("[data-testid=explanation]")).to_contain_text("for a 97 % service level")
        bread = page.locator("[data-testid=line][data-sku=BREAD]")  # not dairy: the default 95 %
        bread.locator("[data-testid=why] summary").click()
        expect(bread.locator("[data-testid=explanation]")).to_contain_text("for a 95 % service level")
    finally:
        ctx.close()
    with runtime.session_factory() as s:
        milk = s.scalars(select(m.Line).where(m.Line.site_id == w.s1, m.Line.item_id == w.milk)).one()
        assert s.get(m.Explanation, milk.id).data["policy_id"] == saved.id
    ctx = _context(browser, live_server, PHONE, "zh_CN")
    page = ctx.new_page()
    try:
        sign_in(page, "buyer", path="/replenishment/settings")
        expect(page.locator("[data-testid=policy]", has_text="Dairy 99")).to_be_visible()
        no_side_scroll(page)
        shot(page, "replenishment-settings-phone-zh")
    finally:
        ctx.close()
    assert csp == []

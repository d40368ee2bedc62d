"""The trace console in a real browser: the explorer draws a supplier lot's genealogy as a graph (ECharts) with
its table beside it, a click on a node traces that lot; the recall wizard finds the lot, previews what it
reaches and starts a drill; the store's removal is confirmed on the recall's page; desktop and phone, English
and Chinese, without sideways scrolling on the phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from boh.bootstrap import Runtime
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import make_user
from tests.trace.chain import make_story

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _lang(page: Any, live_server: str, lang: str) -> None:
    page.context.add_cookies([{"name": "boh_lang", "value": lang, "url": live_server}])


def test_trace_explorer_and_recall_drill(runtime: Runtime, page: Any, live_server: str, shot: Any) -> None:
    s = make_story(runtime)
    make_user(runtime, s.c.tenant, "hqadmin", [("hq_admin", None)])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size(DESKTOP)
    _lang(page, live_server, "en")
    sign_in(page, "hqadmin", path="/trace/")
    page.fill("#f-lot", "TOM-B")
    page.click("[data-testid=trace-go]")
    graph = page.locator("[data-testid=trace-graph]")
    expect(graph).to_have_attribute("data-graph-ready", "1")
    expect(graph.locator("svg text", has_text="SAU-2")).to_have_count(1)  # the nodes are drawn, labelled
    rows = page.locator("[data-testid=trace-table] tbody tr")
    expect(rows).to_have_count(6)  # TOM-B, both sauces, ragu, lasagna, meal
    shot(page, "trace-explorer-desktop-en")
    page.click("[data-testid=trace-table] a:has-text('MEA-1')")
    expect(page.locator("[data-testid=trace-title]")).to_contain_text("MEA-1")
    for lang, title in (("zh_CN", "追溯查询"), ("en", "Trace explorer")):
        _lang(page, live_server, lang)
        page.goto("/trace/?lot=TOM-A&direction=forward")
        expect(page.locator("h1")).to_have_text(title)
        expect(graph).to_have_attribute("data-graph-ready", "1")
        if lang == "zh_CN":
            shot(page, "trace-explorer-desktop-zh")
    # the wizard: find, preview, start a drill
    page.goto("/trace/recalls/new?lot=TOM-B")
    expect(page.locator("[data-testid=wizard-preview] tbody tr")).to_have_count(6)
    page.fill("#f-reason", "Quarterly drill")
    page.check("[data-testid=mode-mock]")
    shot(page, "trace-wizard-desktop-en")
    page.click("[data-testid=start-recall]")
    expect(page.locator("h1")).to_contain_text("Mock recall")
    expect(page.locator("[data-testid=site-S001]")).to_be_visible()
    page.click("[data-testid=confirm-S001]")
    expect(page.locator("[data-testid=site-S001]")).to_contain_text("Removal confirmed")
    shot(page, "trace-recall-desktop-en")
    recall_url = page.url
    page.goto("/trace/recalls")
    expect(page.locator("[data-testid=recall-board] tbody tr")).to_have_count(1)
    shot(page, "trace-board-desktop-en")
    # the phone, both languages
    page.set_viewport_size(PHONE)
    for lang in ("en", "zh_CN"):
        _lang(page, live_server, lang)
        page.goto("/trace/?lot=TOM-B")
        expect(graph).to_have_attribute("data-graph-ready", "1")
        assert not body_overflows(page), f"explorer scrolls sideways on a phone ({lang})"
        shot(page, f"trace-explorer-phone-{lang[:2]}")
        page.goto(recall_url)
        expect(page.locator("[data-testid=recall-facts]")).to_be_visible()
        assert not body_overflows(page), f"recall page scrolls sideways on a phone ({lang})"
        shot(page, f"trace-recall-phone-{lang[:2]}")
    assert errors == []

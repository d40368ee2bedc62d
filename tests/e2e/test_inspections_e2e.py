"""An inspection on a phone (390x844) in a real browser: the inspector checks in with the phone's position,
answers, loses the connection mid-inspection (Playwright's offline mode) while answering and taking a photo,
gets it back, and every answer and the photo reach the server exactly once; a failed chiller reading shows its
follow-up question; the submitted inspection shows its server-side score. Then the store manager answers the
corrective action with a photo and a note on the phone, and the pages are looked at in both languages."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inspections import models
from tests.e2e.helpers import sign_in, watch_csp
from tests.inspections.helpers import jpeg, shop

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
AT_STORE = {"latitude": 31.2309, "longitude": 121.4737, "accuracy": 15}


def no_side_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def _answers(rt: Runtime, visit_id: int) -> dict[str, Any]:
    with rt.session_factory() as s:
        rows = s.scalars(select(models.Answer).where(models.Answer.visit_id == visit_id)).all()
        keys = Counter(r.item_key for r in rows)
        assert max(keys.values(), default=1) == 1  # one row per item: never a duplicate
        return {r.item_key: r.value for r in rows}


def _photos(rt: Runtime, visit_id: int) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(models.Photo.item_key).where(models.Photo.visit_id == visit_id)))


def eventually(check: Any, deadline: float = 20.0) -> None:
    """Wait for ``check()`` to hold (the phone sends in the background), with a generous deadline."""
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"not true within {deadline} s: {check}")
        time.sleep(0.1)


def _chip(page: Any, key: str, value: str) -> None:
    page.locator(f'[data-item="{key}"] input[value="{value}"]').check()


def _saved(page: Any) -> None:
    expect(page.locator("[data-testid=sync-status]")).to_have_attribute("data-state", "saved", timeout=20_000)


def test_an_inspection_survives_a_lost_connection_on_a_phone(
    runtime: Runtime, client: Any, browser: Any, live_server: str, shot: Any
) -> None:
    s = shop(runtime, client)
    body = {"site_id": s.site, "template_id": s.template["id"], "idempotency_key": "e2e-1"}
    vid = client.post("/api/v1/inspections/visits", json=body, headers=s.inspector).json()["id"]
    ctx = browser.new_context(base_url=live_server, locale="en-US", viewport=PHONE, geolocation=AT_STORE,
                              permissions=["geolocation"], has_touch=True)  # fmt: skip
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "boh_lang", "value": "en", "url": live_server}])
    violations = watch_csp(ctx)
    page = ctx.new_page()
    try:
        sign_in(page, "inspector1", path=f"/inspections/visits/{vid}")
        expect(page.locator("[data-testid=visit-status]")).to_have_text("Planned")
        no_side_scroll(page)
        shot(page, "inspection-checkin-phone")
        with page.expect_navigation():  # the page reloads once the server has taken the check-in
            page.click("[data-testid=checkin-button]")  # a fetch POST to the API with the session cookie
        expect(page.locator("[data-testid=visit-status]")).to_have_text("In progress")
        expect(page.locator("[data-testid=checkin-done]")).to_contain_text("56 m from the store")

        _chip(page, "clean", "no")
        page.fill('[name="v-chiller"]', "9")
        page.locator('[name="v-chiller"]').blur()
        expect(page.locator('[data-item="chiller_fix"]')).to_be_visible()  # the follow-up of a failed reading
        eventually(lambda: _answers(runtime, vid) == {"clean": "no", "chiller": "9"})
        _saved(page)

        ctx.set_offline(True)
        page.fill('[name="v-chiller_fix"]', "Technician called")
        page.locator('[name="v-chiller_fix"]').blur()
        _chip(page, "display", "4")
        _chip(page, "floor_state", "good")
        page.fill('[name="v-price_tags"]', "0")
        page.locator('[name="v-price_tags"]').blur()
        page.set_input_files('[data-photo-input="shelf_photo"]',
                             files=[{"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])  # fmt: skip
        pad = page.locator("canvas[data-signature=signature]")
        pad.scroll_into_view_if_needed()
        canvas = pad.bounding_box()
        page.mouse.move(canvas["x"] + 20, canvas["y"] + 40)
        page.mouse.down()
        page.mouse.move(canvas["x"] + 150, canvas["y"] + 90, steps=8)
        page.mouse.up()
        expect(page.locator("[data-testid=sync-status]")).to_have_attribute("data-state", "offline")
        expect(page.locator('[data-queued="shelf_photo"]')).to_have_text("1 waiting to be sent")
        no_side_scroll(page)
        shot(page, "inspection-offline-phone")
        assert _answers(runtime, vid) == {"clean": "no", "chiller": "9"}  # nothing reached the server
        assert _photos(runtime, vid) == []

        ctx.set_offline(False)
        expect(page.locator('[data-photos="shelf_photo"] [data-testid=photo-thumb]')).to_have_count(1, timeout=20_000)
        eventually(lambda: len(_answers(runtime, vid)) == 7)
        _saved(page)
        got = _answers(runtime, vid)
        assert {k: v for k, v in got.items() if k != "signature"} == {
            "clean": "no", "chiller": "9", "chiller_fix": "Technician called", "display": "4",
            "floor_state": "good", "price_tags": "0",
        }  # fmt: skip
        assert str(got["signature"]).startswith("data:image/png;base64,")
        assert _photos(runtime, vid) == ["shelf_photo"]

        page.click("[data-testid=submit-button]")
        expect(page.locator("[data-testid=visit-status]")).to_have_text("Completed")
        expect(page.locator("[data-testid=score]")).to_have_text("0.00")  # the chiller is critical
        expect(page.locator("[data-testid=result]")).to_contain_text("A critical item failed")
        no_side_scroll(page)
        expect(page.locator("[data-testid=signature-signature]")).to_be_visible()
        shot(page, "inspection-submitted-phone")
        assert _photos(runtime, vid) == ["shelf_photo"] and len(_answers(runtime, vid)) == 7
        assert violations == [], "the pages broke the Content-Security-Policy"
    finally:
        ctx.close()

    # the store manager fixes the chiller and answers with a photo and a note, on a phone
    with runtime.session_factory() as session:
        action = session.scalars(select(models.Action).where(models.Action.item_key == "chiller")).one()
    ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
    ctx.set_default_timeout(15_000)
    violations = watch_csp(ctx)
    page = ctx.new_page()
    try:
        sign_in(page, "manager1", path=f"/inspections/actions/{action.id}")
        expect(page.locator("[data-testid=action-status]")).to_have_text("未关闭")
        fix = {"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": jpeg(color="green")}
        page.set_input_files("[data-testid=evidence-file]", files=[fix])
        page.click("[data-testid=evidence-upload]")
        expect(page.locator("[data-testid=evidence-photo]")).to_have_count(1)
        page.fill("[data-testid=evidence-text]", "压缩机已更换")
        page.click("[data-testid=evidence-submit]")
        expect(page.locator("[data-testid=action-status]")).to_have_text("已提交整改")
        no_side_scroll(page)
        shot(page, "inspection-action-phone-zh")
        page.goto(f"/inspections/visits/{vid}")
        expect(page.locator("[data-testid=visit-status]")).to_have_text("已完成")
        shot(page, "inspection-submitted-phone-zh")
        assert violations == [], "the pages broke the Content-Security-Policy"
    finally:
        ctx.close()

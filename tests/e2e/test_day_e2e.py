"""A store manager's day in a real browser, at phone (390x844) and desktop (1366x900) size, in English and
Chinese: the today page with its charts, receiving a partial delivery with a lot by scanning (a keyboard
wedge types the GS1-128 code) and opening its PDF, a multi-line transfer, a count finished with "confirm
zeros", the live feed showing a new sale within 2 s, and an alert closed with a note."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.schemas import IncomingIn
from boh.inventory.counts import service as counts
from boh.inventory.counts.schemas import CountCreate
from boh.inventory.ingest.models import Alert
from boh.notify.models import Notification
from tests.catalog.helpers import make_item
from tests.e2e.helpers import sign_in
from tests.factories import TenantRef, make_site, make_tenant, make_user
from tests.inventory.factories import mv, post

pytestmark = pytest.mark.e2e

GTIN = "06901234567892"
WEDGE_SCAN = f"]C101{GTIN}17{(date.today() + timedelta(days=400)):%y%m%d}10L-77"  # a scanner's GS1-128 output
VIEWS = [("desktop", "en"), ("desktop", "zh_CN"), ("phone", "en"), ("phone", "zh_CN")]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": {"posted": "Posted", "on_its_way": "On its way", "receiving": "Receiving", "today": "Today"},
    "zh_CN": {"posted": "已过账", "on_its_way": "在途", "receiving": "收货", "today": "今日"},
}


@pytest.fixture(params=VIEWS, ids=[f"{s}-{lang}" for s, lang in VIEWS])
def view(request: pytest.FixtureRequest, page: Any) -> Iterator[tuple[str, str]]:
    size, lang = request.param
    page.set_viewport_size(SIZES[size])
    yield size, lang


def no_side_scroll(page: Any) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"), (
        f"{page.url} scrolls sideways"
    )


def _shop(rt: Runtime, lang: str) -> dict[str, Any]:
    t = make_tenant(rt)
    w: dict[str, Any] = {"t": t, "s1": make_site(rt, t, "S001"), "dc": make_site(rt, t, "DC1", kind="dc")}
    w["rice"] = make_item(rt, t, "RICE", barcodes=[GTIN])
    w["oil"], w["tea"] = make_item(rt, t, "OIL"), make_item(rt, t, "TEA")
    for k in ("rice", "oil", "tea"):
        post(rt, t, mv(w["s1"], w[k], "receipt", "10", f"s1-{k}", unit_cost=D("2.00")))
        post(rt, t, mv(w["dc"], w[k], "receipt", "50", f"dc-{k}", unit_cost=D("2.00")))
    make_user(rt, t, "manager", [("store_manager", "S001")], locale=lang)
    w["buyer"] = make_user(rt, t, "buyer", [("buyer", None)])
    return w


def _tenant(w: dict[str, Any]) -> TenantRef:
    tenant: TenantRef = w["t"]
    return tenant


def test_today_page_shows_work_figures_and_charts(
    runtime: Runtime, page: Any, view: tuple[str, str], shot: Any
) -> None:
    size, lang = view
    w = _shop(runtime, lang)
    post(runtime, _tenant(w), mv(w["s1"], w["oil"], "sale", "-2", "sale-1", source_type="floor_sale"))
    sign_in(page, "manager")
    expect(page.locator("h1").first).to_have_text(WORDS[lang]["today"])
    expect(page.locator("[data-testid=todo-deliveries]")).to_be_visible()
    expect(page.locator("[data-testid=figure-sales]")).to_contain_text("4")  # 2 x 2.00 at cost
    expect(page.locator("[data-chart=sales-waste] canvas")).to_have_count(1, timeout=10_000)  # ECharts drew it
    csv = page.locator("[data-chart-csv=sales-waste]")
    expect(csv).to_have_attribute("href", re.compile(r"^blob:"))
    no_side_scroll(page)
    shot(page, f"today-{size}-{lang}")


def test_receive_a_partial_delivery_with_a_lot_by_scanning(
    runtime: Runtime, page: Any, view: tuple[str, str], shot: Any
) -> None:
    size, lang = view
    w = _shop(runtime, lang)
    with runtime.system_uow(w["t"].id) as uow:
        commitments.expect(uow, IncomingIn(site_id=w["s1"], item_id=w["rice"], quantity=D(10),
                                           document_type="purchase_order", document_id="PO-1",
                                           idempotency_key="po-1"))  # fmt: skip
        uow.commit()
    sign_in(page, "manager", path="/inventory/receiving")
    expect(page.locator("h1")).to_have_text(WORDS[lang]["receiving"])
    page.click("[data-testid='receive-PO-1']")
    expect(page.locator("[data-testid=receipt-number]")).to_contain_text("RC-S001-")
    page.fill("[data-testid=receive-qty]", "6")
    page.locator("[data-testid=receive-code]").press_sequentially(WEDGE_SCAN)  # the wedge types, then Enter
    page.locator("[data-testid=receive-code]").press("Enter")
    expect(page.locator("[data-testid=receive-result]")).to_be_visible()
    expect(page.locator("[data-testid=received-RICE]")).to_have_value("6")
    expect(page.locator("[data-testid=lot-RICE]")).to_have_value("L-77")
    expect(page.locator("[data-testid=receive-progress]")).to_contain_text("1")
    no_side_scroll(page)
    shot(page, f"receiving-{size}-{lang}")
    page.click("[data-testid=receipt-post]")
    expect(page.locator("[data-testid=receipt-status]")).to_have_text(WORDS[lang]["posted"])
    href = page.locator("[data-testid=receipt-pdf]").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert ("商品RICE" if lang == "zh_CN" else "Item RICE") in text and "L-77" in text  # the reader's language
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == w["buyer"])) == 1


def test_a_transfer_of_many_lines(runtime: Runtime, page: Any, view: tuple[str, str], shot: Any) -> None:
    size, lang = view
    w = _shop(runtime, lang)
    make_user(runtime, _tenant(w), "dc.manager", [("store_manager", "DC1")], locale=lang)
    sign_in(page, "dc.manager", path="/inventory/transfers")
    page.select_option("#f-doc-to", str(w["s1"]))
    page.click("[data-testid=new-doc-submit]")
    expect(page.locator("[data-testid=doc-number]")).to_contain_text("TR-DC1-")
    # by SKU, then by barcode, then the barcode again, as fast as a scanner types (no wait for the server):
    # no scan is lost and the same item adds to its line
    for code in ("RICE", GTIN, GTIN):
        page.fill("[data-testid=doc-code]", code)
        page.locator("[data-testid=doc-code]").press("Enter")
    expect(page.locator("[data-testid=doc-line-qty]")).to_have_value("3")
    expect(page.locator("[data-testid=doc-line]")).to_have_count(1)
    page.fill("[data-testid=doc-code]", "OIL")
    page.locator("[data-testid=doc-code]").press("Enter")
    page.fill("[data-testid=doc-search]", "商品TE")  # the picker finds items by their Chinese name
    page.click("[data-testid=pick-TEA]")
    expect(page.locator("[data-testid=doc-line]")).to_have_count(3)
    no_side_scroll(page)
    shot(page, f"transfer-{size}-{lang}")
    page.click("[data-testid=doc-ship]")
    expect(page.locator("[data-testid=doc-status]")).to_have_text(WORDS[lang]["on_its_way"])
    page.goto("/inventory/transfers")
    expect(page.locator("[data-testid=outgoing-docs] [data-testid=doc-row-status]")).to_have_text(
        WORDS[lang]["on_its_way"]
    )


def test_a_count_finished_with_confirm_zeros(runtime: Runtime, page: Any, view: tuple[str, str], shot: Any) -> None:
    size, lang = view
    w = _shop(runtime, lang)
    with runtime.system_uow(w["t"].id) as uow:
        count = counts.create_count(uow, CountCreate(site_id=w["s1"]))
        counts.start_count(uow, count.id)
        uow.commit()
        count_id = count.id
    sign_in(page, "manager", path=f"/inventory/counts/{count_id}")
    page.fill("#f-code", "RICE")
    page.fill("#f-qty", "10")
    page.click("[data-testid=scan-submit]")
    expect(page.locator("[data-testid=count-progress]")).to_contain_text("1")
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=confirm-all-zeros]")
    expect(page.locator("[data-testid=zeros-summary]")).to_contain_text("2")
    expect(page.locator("[data-testid=zeros-summary]")).to_contain_text("40.00")  # 20 units x 2.00
    no_side_scroll(page)
    shot(page, f"zeros-{size}-{lang}")
    page.click("[data-testid=zeros-submit]")
    page.click("[data-testid=action-approve]")
    page.click("[data-testid=action-post]")
    expect(page.locator("[data-testid=posted-result]")).to_be_visible()


def test_the_live_feed_shows_a_new_sale_within_two_seconds(runtime: Runtime, page: Any, view: tuple[str, str]) -> None:
    _size, lang = view
    w = _shop(runtime, lang)
    sign_in(page, "manager", path=f"/inventory/live?site_id={w['s1']}")
    entries = page.locator("[data-testid=feed-entry]")
    expect(entries).to_have_count(3)
    page.wait_for_function("document.getElementById('feed-poller') !== null")
    post(runtime, _tenant(w), mv(w["s1"], w["tea"], "sale", "-1", "live-sale", source_type="floor_sale"))
    expect(page.locator("[data-testid=feed-entry][data-kind=sale]")).to_have_count(1, timeout=2_000)
    expect(entries.first).to_contain_text("TEA")
    no_side_scroll(page)


def test_an_alert_closed_with_a_note(runtime: Runtime, page: Any, view: tuple[str, str], shot: Any) -> None:
    _size, lang = view
    w = _shop(runtime, lang)
    with runtime.session_factory() as s:
        s.add(Alert(tenant_id=w["t"].id, site_id=w["s1"], kind="shrink", item_id=w["tea"], epc="3034F4", message="x"))
        s.commit()
    sign_in(page, "manager", path="/inventory/alerts")
    expect(page.locator("[data-testid=alert]")).to_have_count(1)
    no_side_scroll(page)
    page.fill("[data-testid=alert-note]", "found in the stockroom")
    page.click("[data-testid=alert-close]")
    expect(page.locator("[data-testid=alert]")).to_have_count(0)
    page.goto("/inventory/alerts?status=closed")
    expect(page.locator("[data-testid=alert-closed-by]")).to_contain_text("found in the stockroom")
    expect(page.locator("[data-testid=alert-closed-by]")).to_contain_text("Manager")

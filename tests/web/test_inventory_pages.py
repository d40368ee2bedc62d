"""Inventory pages: stock list with filters and site scoping, live page, item history, adjustment and
waste forms, transfers (ship and receive), alerts; permissions and translations."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory.models import Balance, Move
from tests.catalog.helpers import make_assortment
from tests.factories import make_user
from tests.inventory.commitments.helpers import expect, reserve
from tests.inventory.factories import World, make_lot, make_world, mv, post
from tests.web.helpers import csrf, page_login, post_form


@pytest.fixture
def w(runtime: Runtime) -> World:
    return make_world(runtime)


def _signed_in(runtime: Runtime, client: TestClient, w: World, role: str, site: str | None, locale: str = "en") -> None:
    make_user(runtime, w.tenant, "user1", [(role, site)], locale=locale)
    page_login(client, "user1")


def _moves(rt: Runtime) -> list[Move]:
    with rt.session_factory() as s:
        return list(s.scalars(select(Move).order_by(Move.id)))


def _on_hand(rt: Runtime, site: int, item: int) -> D:
    with rt.session_factory() as s:
        stmt = select(func.sum(Balance.on_hand)).where(Balance.site_id == site, Balance.item_id == item)
        return s.scalar(stmt) or D(0)


def key(item_id: int) -> str:
    return f'data-key="{item_id}:0"'


def test_stock_list_shows_the_site_and_filters(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "12", "a"), mv(w.s1, w.item2, "sale", "-2", "b"))
    post(runtime, w.tenant, mv(w.s2, w.item, "receipt", "99", "c"))
    make_assortment(runtime, w.tenant, w.s1, w.item, reorder_point=D(20))
    _signed_in(runtime, client, w, "hq_admin", None)
    r = client.get("/inventory/stock", params={"site_id": w.s1})
    assert r.status_code == 200
    assert key(w.item) in r.text and key(w.item2) in r.text
    assert "99" not in r.text.split('data-testid="stock-table"')[1]  # the other site's stock is not listed
    assert 'href="/inventory"' not in r.text and 'href="/inventory/stock"' in r.text  # nav entry
    neg = client.get(
        "/inventory/stock",
        params={"site_id": w.s1, "negative": "1"},
        headers={"HX-Request": "true", "HX-Target": "stock-results"},
    )
    assert key(w.item2) in neg.text and key(w.item) not in neg.text
    assert "<html" not in neg.text  # the htmx partial
    below = client.get("/inventory/stock", params={"site_id": w.s1, "below": "1"})
    assert key(w.item) in below.text and key(w.item2) not in below.text
    assert 'data-testid="below-reorder"' in below.text
    q = client.get("/inventory/stock", params={"site_id": w.s1, "q": "bread"})
    assert key(w.item2) in q.text and key(w.item) not in q.text


def test_stock_list_shows_reserved_on_order_and_value(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "12", "a", unit_cost=D("1.25")))
    reserve(runtime, w.tenant, w.s1, w.item, "5", "res-1")
    expect(runtime, w.tenant, w.s1, w.item, "30", "po-1")
    _signed_in(runtime, client, w, "store_manager", "S001", locale="zh_CN")
    r = client.get("/inventory/stock", params={"site_id": w.s1})
    row = r.text.split(key(w.item))[1].split("</tr>")[0]
    cells = dict(re.findall(r'data-field="(\w+)">([^<]*)<', row))
    assert cells == {"on_hand": "12", "reserved": "5", "available": "7", "on_order": "30", "value": "¥15.00"}
    assert "已预留" in r.text and "已订购" in r.text
    assert "库存金额: ¥15.00" in r.text.split('data-testid="site-value">')[1]


def test_stock_and_valuation_export_to_csv_and_xlsx_within_scope(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "12", "a", unit_cost=D("1.25")),
         mv(w.s1, w.item2, "sale", "-2", "b"), mv(w.s2, w.item, "receipt", "99", "c", unit_cost=D(3)))  # fmt: skip
    reserve(runtime, w.tenant, w.s1, w.item, "5", "res-1")
    _signed_in(runtime, client, w, "store_manager", "S001")
    page = client.get("/inventory/stock", params={"site_id": w.s1, "negative": "1"}).text
    assert f"/inventory/stock/export?format=xlsx&amp;site_id={w.s1}&amp;negative=1" in page
    r = client.get("/inventory/stock/export", params={"site_id": w.s1, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="stock-S001.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["sku"], x["on_hand"], x["reserved"], x["available"], x["value"]) for x in rows] == [
        ("BREAD", "-2.000000", "0.000000", "-2.000000", "0.000000"),
        ("MILK-1L", "12.000000", "5.000000", "7.000000", "15.000000"),
    ]
    neg = client.get("/inventory/stock/export", params={"site_id": w.s1, "negative": "1", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(neg.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["site", "sku", "name_en"] and [v[1] for v in values[1:]] == ["BREAD"]
    other = client.get("/inventory/stock/export", params={"site_id": w.s2, "format": "csv"})
    assert other.status_code == 404 and "MILK-1L" not in other.text  # a site outside the scope
    val = list(csv.DictReader(io.StringIO(client.get("/inventory/valuation/export").text)))
    assert [(x["site"], x["sku"], x["quantity"], x["value"]) for x in val] == [
        ("S001", "BREAD", "-2.000000", "0.000000"),  # sold below zero before any cost: listed, worth nothing
        ("S001", "MILK-1L", "12.000000", "15.000000"),
    ]


def test_stock_list_filters_lots_expiring_soon(runtime: Runtime, client: TestClient, w: World) -> None:
    soon = make_lot(runtime, w.tenant, w.item, "SOON", date.today() + timedelta(days=1))
    later = make_lot(runtime, w.tenant, w.item, "LATER", date.today() + timedelta(days=30))
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "2", "a", lot_id=soon),
         mv(w.s1, w.item, "receipt", "2", "b", lot_id=later), mv(w.s1, w.item2, "receipt", "2", "c"))  # fmt: skip
    _signed_in(runtime, client, w, "store_manager", "S001")
    r = client.get("/inventory/stock", params={"site_id": w.s1, "expiring": "1"})
    assert f'data-key="{w.item}:{soon}"' in r.text and f'data-key="{w.item}:{later}"' not in r.text
    assert (
        f'data-key="{w.item2}:0"' not in r.text
        and 'id="f-expiring" type="checkbox" name="expiring" value="1" checked' in r.text
    )


def test_commitments_page_lists_and_releases_what_the_site_holds(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a"), mv(w.s2, w.item, "receipt", "10", "b"))
    mine = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1", document_id="SO-1").commitment.id
    theirs = reserve(runtime, w.tenant, w.s2, w.item, "2", "res-2", document_id="SO-2").commitment.id
    po = expect(runtime, w.tenant, w.s1, w.item, "6", "po-1").commitment.id
    _signed_in(runtime, client, w, "store_manager", "S001")
    page = client.get("/inventory/commitments")
    assert (
        page.status_code == 200 and f'data-commitment="{mine}"' in page.text and f'data-commitment="{po}"' in page.text
    )
    assert f'data-commitment="{theirs}"' not in page.text and "sales_order SO-1" in page.text
    assert post_form(client, f"/inventory/reservations/{theirs}/release").status_code == 404
    done = post_form(client, f"/inventory/reservations/{mine}/release", {"idempotency_key": "k1"})
    assert done.status_code == 303 and done.headers["location"] == f"/inventory/commitments?site_id={w.s1}"
    again = post_form(client, f"/inventory/reservations/{mine}/release", {"idempotency_key": "k1"})
    assert again.status_code == 303  # a double submit changes nothing
    assert post_form(client, f"/inventory/incoming/{po}/cancel", {"idempotency_key": "k2"}).status_code == 303
    with runtime.session_factory() as s:
        rows = s.execute(select(Balance.site_id, Balance.reserved).where(Balance.item_id == w.item))
        held = {site: reserved for site, reserved in rows}
        on_order = s.scalar(select(func.sum(Balance.on_order)))
    assert held == {w.s1: D(0), w.s2: D(2)} and on_order == D(0)
    assert f'data-commitment="{mine}"' not in client.get("/inventory/commitments").text


def test_store_staff_sees_commitments_without_release(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a"))
    rid = reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1").commitment.id
    _signed_in(runtime, client, w, "store_staff", "S001")
    page = client.get("/inventory/commitments").text
    assert f'data-commitment="{rid}"' in page and f"/inventory/reservations/{rid}/release" not in page
    assert post_form(client, f"/inventory/reservations/{rid}/release").status_code == 403


def test_store_manager_sees_only_their_sites(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a"))
    _signed_in(runtime, client, w, "store_manager", "S001")
    r = client.get("/inventory/stock")
    assert r.status_code == 200
    assert f'<option value="{w.s1}"' in r.text and f'<option value="{w.s2}"' not in r.text
    for url in ("/inventory/stock", "/inventory/live", f"/inventory/items/{w.item}"):
        assert client.get(url, params={"site_id": w.s2}).status_code == 404


def test_read_only_role_cannot_post_adjustments(runtime: Runtime, client: TestClient, w: World) -> None:
    _signed_in(runtime, client, w, "inspector", None)
    assert client.get("/inventory/stock").status_code == 200
    assert client.get("/inventory/adjust").status_code == 403
    form = {"site_id": w.s1, "sku": "MILK-1L", "quantity": "5", "reason_code": "found", "idempotency_key": "k"}
    assert post_form(client, "/inventory/adjust", form).status_code == 403
    assert post_form(client, "/inventory/transfers/new", {}).status_code == 403
    assert _moves(runtime) == []


def test_adjustment_form_posts_once_and_reports_errors(runtime: Runtime, client: TestClient, w: World) -> None:
    _signed_in(runtime, client, w, "store_manager", "S001")
    form = client.get("/inventory/adjust", params={"site_id": w.s1})
    assert form.status_code == 200 and 'name="idempotency_key"' in form.text
    bad = post_form(client, "/inventory/adjust", {"site_id": w.s1, "sku": "NOPE", "quantity": "0", "reason_code": ""})
    assert bad.status_code == 422
    assert 'id="e-sku"' in bad.text and 'id="e-quantity"' in bad.text and 'id="e-reason_code"' in bad.text
    assert _moves(runtime) == []
    data = {"site_id": w.s1, "sku": "MILK-1L", "quantity": "-1.5", "reason_code": "theft", "idempotency_key": "k1"}
    r = post_form(client, "/inventory/adjust", data)
    assert r.status_code == 303 and r.headers["location"] == f"/inventory/items/{w.item}?site_id={w.s1}"
    assert post_form(client, "/inventory/adjust", data).status_code == 303  # a double submit
    [m] = _moves(runtime)
    assert (m.move_type, m.quantity, m.reason_code, m.site_id) == ("adjustment", D("-1.5"), "theft", w.s1)
    history = client.get(r.headers["location"])
    assert "Adjustment of MILK-1L posted." in history.text and "Theft or loss" in history.text


def test_waste_form_takes_stock_out_with_its_reason(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item2, "receipt", "3", "a"))
    _signed_in(runtime, client, w, "store_staff", "S001")
    data = {"site_id": w.s1, "sku": "BREAD", "quantity": "0.75", "reason_code": "spoiled", "idempotency_key": "w1"}
    assert post_form(client, "/inventory/waste", data).status_code == 303
    assert _on_hand(runtime, w.s1, w.item2) == D("2.25")
    assert _moves(runtime)[-1].reason_code == "spoiled"
    other = {**data, "site_id": w.s2, "idempotency_key": "w2"}  # a site outside the user's scope
    r = post_form(client, "/inventory/waste", other)
    assert r.status_code == 422 and len(_moves(runtime)) == 2


def test_issue_forms_suggest_lots_first_expiring_first(runtime: Runtime, client: TestClient, w: World) -> None:
    late = make_lot(runtime, w.tenant, w.item, "LATE", date.today() + timedelta(days=30))
    soon = make_lot(runtime, w.tenant, w.item, "SOON", date.today() + timedelta(days=3))
    gone = make_lot(runtime, w.tenant, w.item, "GONE", date.today() - timedelta(days=1))
    post(
        runtime, w.tenant, mv(w.s1, w.item, "receipt", "4", "a", lot_id=late),
        mv(w.s1, w.item, "receipt", "2", "b", lot_id=soon), mv(w.s1, w.item, "receipt", "9", "c", lot_id=gone),
        mv(w.s2, w.item, "receipt", "9", "d", lot_id=late),
    )  # fmt: skip
    _signed_in(runtime, client, w, "store_manager", "S001")
    for form in ("/inventory/waste", "/inventory/transfers/new"):
        assert 'hx-get="/inventory/fefo-hint"' in client.get(form).text
    hint = client.get("/inventory/fefo-hint", params={"site_id": w.s1, "sku": "MILK-1L", "quantity": "5"})
    rows = re.findall(r'data-fill-lot="(\w+)"', hint.text)
    assert hint.status_code == 200 and rows == ["SOON", "LATE"]  # the expired lot is not suggested
    short = client.get("/inventory/fefo-hint", params={"from_site_id": w.s1, "sku": "MILK-1L", "quantity": "8"})
    assert "are 2 short" in short.text
    # nothing to suggest: no lots, an unknown item, no quantity, or a site outside the user's scope
    for params in (
        {"site_id": w.s1, "sku": "BREAD", "quantity": "1"},
        {"site_id": w.s1, "sku": "NOPE", "quantity": "1"},
        {"site_id": w.s1, "sku": "MILK-1L", "quantity": "x"},
        {"site_id": w.s2, "sku": "MILK-1L", "quantity": "1"},
        {},
    ):
        r = client.get("/inventory/fefo-hint", params=params)
        assert r.status_code == 200 and "data-fill-lot" not in r.text, params


def test_transfer_ship_and_receive(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a"))
    _signed_in(runtime, client, w, "hq_admin", None)
    assert client.get("/inventory/transfers/new").status_code == 200
    same = {"from_site_id": w.s1, "to_site_id": w.s1, "sku": "MILK-1L", "quantity": "4", "idempotency_key": "t0"}
    refused = post_form(client, "/inventory/transfers/new", same)
    assert refused.status_code == 422 and 'id="e-to_site_id"' in refused.text
    blank = post_form(client, "/inventory/transfers/new", {**same, "to_site_id": "", "sku": "NOPE"})
    assert blank.status_code == 422 and 'id="e-to_site_id"' in blank.text and 'id="e-sku"' in blank.text
    assert len(_moves(runtime)) == 1
    data = {**same, "to_site_id": w.s2, "idempotency_key": "t1"}
    r = post_form(client, "/inventory/transfers/new", data)
    assert r.status_code == 303
    url = r.headers["location"]
    listing = client.get("/inventory/transfers")
    assert url in listing.text
    detail = client.get(url)
    assert "In transit" in detail.text and "Receive transfer" in detail.text
    assert post_form(client, url + "/receive").status_code == 303
    assert "Received" in client.get(url).text
    assert (_on_hand(runtime, w.s1, w.item), _on_hand(runtime, w.s2, w.item)) == (D(6), D(4))
    assert url not in client.get("/inventory/transfers").text


def test_live_page_and_item_history_render(runtime: Runtime, client: TestClient, w: World) -> None:
    result = post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "7", "a"))
    _signed_in(runtime, client, w, "store_manager", "S001")
    live = client.get("/inventory/live")
    assert live.status_code == 200
    stream = f"/api/v1/inventory/stream?site_id={w.s1}&amp;after={result.moves[0].id}&amp;after_entry=0"
    expected = f'data-live-stream="{stream}"'
    assert expected in live.text and "/static/inventory-live.js" in live.text
    assert f'data-key="{w.item}:0"' in live.text
    history = client.get(f"/inventory/items/{w.item}")
    assert history.status_code == 200 and "Receipt" in history.text and 'data-testid="moves-table"' in history.text
    assert "Nothing of this item is reserved or on order at this site." in history.text
    assert client.get("/inventory/alerts").status_code == 200


def test_item_page_lists_what_holds_the_stock_and_what_is_on_order(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "a", unit_cost=D(2)))
    reserve(runtime, w.tenant, w.s1, w.item, "4", "res-1", document_id="SO-77")
    expect(runtime, w.tenant, w.s1, w.item, "12", "po-1")
    _signed_in(runtime, client, w, "store_manager", "S001")
    page = client.get(f"/inventory/items/{w.item}", params={"site_id": w.s1}).text
    table = page.split('data-testid="commitments-table"')[1].split("<tbody>")[1].split("</table>")[0]
    assert "sales_order SO-77" in table and "purchase_order PO-1" in table
    assert re.findall(r'class="num">([^<]*)<', table) == ["4", "4", "12", "12"]
    assert "¥20.00" in page.split('data-testid="balances-table"')[1]


def test_pages_are_translated(runtime: Runtime, client: TestClient, w: World) -> None:
    _signed_in(runtime, client, w, "hq_admin", None, locale="zh_CN")
    pages: dict[str, Any] = {
        "/inventory/stock": "库存",
        "/inventory/live": "实时库存",
        "/inventory/adjust": "库存调整",
        "/inventory/waste": "登记损耗",
        "/inventory/transfers": "调拨",
        "/inventory/commitments": "预留与订单",
        "/inventory/stock?expiring=1": "3 天内到期",
    }
    for url, text in pages.items():
        r = client.get(url)
        assert r.status_code == 200 and text in r.text, url


def test_alerts_list_shows_the_alerts_of_the_users_sites(runtime: Runtime, client: TestClient, w: World) -> None:
    from boh.inventory.ingest.models import Alert

    with runtime.session_factory() as s:
        for site, epc in ((w.s1, "EPC-ALPHA-S001"), (w.s2, "EPC-BETA-S002")):
            s.add(
                Alert(tenant_id=w.tenant.id, site_id=site, kind="shrink", item_id=w.item, epc=epc, message="x", data={})
            )
        s.commit()
    _signed_in(runtime, client, w, "store_manager", "S001")
    r = client.get("/inventory/alerts")
    assert r.status_code == 200
    assert "EPC-ALPHA-S001" in r.text and "EPC-BETA-S002" not in r.text
    assert "A tagged item left through the exit without a matching sale." in r.text  # the kind's words, not the row's
    assert "EPC-ALPHA" not in client.get("/inventory/alerts", params={"status": "closed"}).text
    assert client.get("/inventory/alerts", params={"site_id": w.s2}).status_code == 404


def test_an_alert_is_closed_with_a_note_and_names_who_closed_it(runtime: Runtime, client: TestClient, w: World) -> None:
    from boh.inventory.ingest.models import Alert

    with runtime.session_factory() as s:
        alert = Alert(tenant_id=w.tenant.id, site_id=w.s1, kind="shrink", item_id=w.item, message="x", data={})
        s.add(alert)
        s.commit()
        alert_id = alert.id
    _signed_in(runtime, client, w, "store_manager", "S001")
    r = post_form(client, f"/inventory/alerts/{alert_id}/close", {"note": "found in the stockroom", "next": "/x"})
    assert r.status_code == 303 and r.headers["location"] == "/x"
    closed = client.get("/inventory/alerts", params={"status": "closed"}).text
    assert "found in the stockroom" in closed and "User1" in closed and "user:" not in closed
    with runtime.session_factory() as s:
        row = s.get(Alert, alert_id)
        assert row is not None and not row.is_open and row.close_note == "found in the stockroom"


def test_item_history_names_people_and_documents_and_keeps_a_running_balance(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "h-1", source_type="demo_opening"),
         mv(w.s1, w.item, "sale", "-3", "h-2", source_type="floor_sale", source_id="S001-4-0001"))  # fmt: skip
    _signed_in(runtime, client, w, "store_manager", "S001")
    r = client.post("/inventory/adjust", data={"csrf_token": csrf(client), "site_id": w.s1,
                    "sku": "MILK-1L", "quantity": "-1", "reason_code": "damaged", "idempotency_key": "h-3"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"/inventory/items/{w.item}", params={"site_id": w.s1}).text
    balances = re.findall(r'data-testid="move-balance">([^<]+)<', page)
    assert balances == ["6", "7", "10"]
    sources = re.findall(r'data-testid="move-source">([^<]*(?:<a[^>]*>[^<]*</a>)?)', page)
    assert "Till sale" in sources[1] and "Opening stock" in sources[2] and "S001-4" not in page
    actors = re.findall(r'data-testid="move-actor">([^<]+)<', page)
    assert actors[0] == "User1" and actors[2] == "the system" and "user:" not in page and "system:" not in page


def test_live_feed_sends_each_new_event_once_in_words(runtime: Runtime, client: TestClient, w: World) -> None:
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "10", "f-1"))
    _signed_in(runtime, client, w, "store_manager", "S001")
    page = client.get("/inventory/live", params={"site_id": w.s1}).text
    after = re.search(r'id="feed-poller"[^>]*data-after="(\d+)"', page)
    assert after is not None and page.count('data-testid="feed-entry"') == 1
    post(runtime, w.tenant, mv(w.s1, w.item, "sale", "-2", "f-2", source_type="floor_sale", source_id="S001-1-1"))
    new = client.get("/inventory/live/feed", params={"site_id": w.s1, "after": after.group(1), "after_alert": 0}).text
    assert new.count('data-testid="feed-entry"') == 1 and "Till sale" in new and "-2" in new and "S001-1-1" not in new
    cursor = re.search(r'data-after="(\d+)"', new)
    assert cursor is not None and int(cursor.group(1)) > int(after.group(1))
    again = client.get("/inventory/live/feed", params={"site_id": w.s1, "after": cursor.group(1), "after_alert": 0})
    assert 'data-testid="feed-entry"' not in again.text
    assert client.get("/inventory/live/feed", params={"site_id": w.s2}).status_code == 404


def test_stock_search_finds_items_by_barcode(runtime: Runtime, client: TestClient, w: World) -> None:
    from tests.catalog.helpers import make_item

    rice = make_item(runtime, w.tenant, "RICE-5", barcodes=["6901234567892"])
    post(runtime, w.tenant, mv(w.s1, rice, "receipt", "4", "b-1"), mv(w.s1, w.item, "receipt", "3", "b-2"))
    _signed_in(runtime, client, w, "store_manager", "S001")
    for code in ("6901234567892", "06901234567892", "]C10106901234567892"):
        page = client.get("/inventory/stock", params={"site_id": w.s1, "q": code}).text
        assert "RICE-5" in page and "MILK-1L" not in page, code


def test_moves_page_lists_a_sites_moves_of_a_type_and_period_with_their_value(
    runtime: Runtime, client: TestClient, w: World
) -> None:
    """The today page's "waste this week" opens the moves page: the site's waste since Monday, newest first, each
    with its item, quantity and value, and their total; other types, earlier days and other sites stay out."""
    from datetime import UTC, datetime

    from boh.kernel.clock import clock

    now = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # a Wednesday in every site's timezone; Monday is 12-07
    with clock.frozen(now):
        ago = now - timedelta(minutes=5)
        post(runtime, w.tenant,
             mv(w.s1, w.item, "receipt", "10", "r1", unit_cost="2", event_at=now - timedelta(days=20)),
             mv(w.s1, w.item, "waste", "-3", "w-old", reason_code="spoiled", event_at=now - timedelta(days=8)),
             mv(w.s1, w.item, "waste", "-2", "w-now", reason_code="expired", event_at=ago),
             mv(w.s1, w.item, "sale", "-1", "s-now", event_at=ago),
             mv(w.s2, w.item, "receipt", "4", "r2", unit_cost="2", event_at=now - timedelta(days=20)),
             mv(w.s2, w.item, "waste", "-4", "w-s2", reason_code="spoiled", event_at=ago))  # fmt: skip
        _signed_in(runtime, client, w, "store_manager", "S001")
        today = client.get("/", params={"site_id": w.s1}).text
        link = re.search(r'href="(/inventory/moves\?[^"]+)"', today)
        assert link is not None, "the today page links its waste figure to the moves page"
        url = link.group(1).replace("&amp;", "&")
        assert "since=2026-12-07" in url and "type=waste" in url
        page = client.get(url)
        assert page.status_code == 200
        rows = page.text.count('data-testid="move-row"')
        assert rows == 1 and "Expired" in page.text and "Spoiled" not in page.text  # this week's waste only
        assert "MILK-1L" in page.text and re.search(r'data-testid="moves-value">[^<]*-[^<]*4', page.text)  # -2 x 2
        everything = client.get("/inventory/moves", params={"site_id": w.s1})
        assert everything.text.count('data-testid="move-row"') == 4  # every type, every day
        bad = client.get("/inventory/moves", params={"site_id": w.s1, "since": "2026-13-40", "type": "nope"})
        assert bad.status_code == 200 and bad.text.count('data-testid="move-row"') == 4  # ignored, not an error
        assert client.get("/inventory/moves", params={"site_id": w.s2}).status_code == 404  # not the manager's site

"""Stocktake console pages: list and create, start, scan (accepted and every error listed), blind counts,
line search, submit, variance review values, zero-confirmation, approve and post with permission checks."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.inventory.counts.models import Count
from tests.factories import make_site, make_user
from tests.inventory.counts.helpers import (
    GTIN_A,
    Shop,
    create,
    enter,
    lines,
    make_shop,
    n_entries,
    n_rows,
    n_variance_moves,
    on_hand,
    status,
)
from tests.web.helpers import page_login, post_form

HX = {"HX-Request": "true"}


@pytest.fixture
def shop(runtime: Runtime) -> Shop:
    s = make_shop(runtime)
    make_site(runtime, s.tenant, "S002")
    make_user(runtime, s.tenant, "manager", [("store_manager", "S001")], locale="en")
    make_user(runtime, s.tenant, "ann", [("store_staff", "S001")], locale="en")
    make_user(runtime, s.tenant, "zed", [("store_staff", "S002")], locale="en")
    make_user(runtime, s.tenant, "insp", [("inspector", "S001")], locale="en")
    return s


def _scan(client: TestClient, cid: int, code: str, qty: str = "1", lot: str = "") -> str:
    r = post_form(client, f"/inventory/counts/{cid}/entries", {"code": code, "qty": qty, "lot_code": lot}, headers=HX)
    assert r.status_code == 200, r.text
    assert "<html" not in r.text  # the htmx panel only
    return str(r.text)


def _row(html: str, sku: str) -> str:
    m = re.search(rf'<tr data-line="\d+" data-sku="{sku}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"no line {sku}"
    return m.group(1)


def _cell(html: str, sku: str, field: str) -> str:
    m = re.search(rf'data-field="{field}"[^>]*>(.*?)</td>', _row(html, sku), re.S)
    assert m, f"no {field} for {sku}"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_list_filters_and_create(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    page_login(client, "manager")
    r = client.get("/inventory/counts")
    assert r.status_code == 200
    assert 'href="/inventory/counts"' in r.text and 'data-testid="count-create"' in r.text
    r = post_form(client, "/inventory/counts", {"site_id": shop.site, "kind": "full", "blind": "on", "note": "Q4"})
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    with runtime.session_factory() as s:
        count = s.get(Count, cid)
        assert count is not None
        assert (count.kind, count.blind, count.status, count.note) == ("full", True, "draft", "Q4")
    listed = client.get("/inventory/counts", params={"status": "draft", "site_id": shop.site})
    assert f'data-count="{cid}"' in listed.text and "Blind" in listed.text
    assert f'data-count="{cid}"' not in client.get("/inventory/counts", params={"status": "posted"}).text
    bad = post_form(client, "/inventory/counts", {"site_id": shop.site, "kind": "cycle"})
    assert bad.status_code == 422 and "a cycle count needs abc_classes or item_ids" in bad.text
    assert post_form(client, "/inventory/counts", {"kind": "full"}).status_code == 422
    cycle = post_form(client, "/inventory/counts", {"site_id": shop.site, "kind": "cycle", "abc_A": "on"})
    assert cycle.status_code == 303
    assert n_rows(runtime, Count) == 2


def test_readers_see_no_create_form_and_cannot_create(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    page_login(client, "insp")
    r = client.get("/inventory/counts")
    assert r.status_code == 200 and 'data-testid="count-create"' not in r.text
    assert post_form(client, "/inventory/counts", {"site_id": shop.site}).status_code == 403
    assert n_rows(runtime, Count) == 0


def test_start_scan_ok_and_errors_listed(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop, start=False)
    page_login(client, "ann")
    draft = client.get(f"/inventory/counts/{cid}")
    assert 'data-testid="action-start"' in draft.text and 'data-testid="scan-code"' not in draft.text
    r = post_form(client, f"/inventory/counts/{cid}/start")
    assert r.status_code == 303 and r.headers["location"] == f"/inventory/counts/{cid}"
    assert status(runtime, cid) == "counting"
    page = client.get(f"/inventory/counts/{cid}")
    assert re.search(r'<input id="f-code"[^>]*autofocus', page.text)
    assert 'data-testid="action-submit"' in page.text and 'data-testid="action-approve"' not in page.text

    ok = _scan(client, cid, GTIN_A, "9")
    assert 'data-testid="scan-ok"' in ok and 'data-testid="problem"' not in ok
    assert "A1" in ok.split('data-testid="recent-entries"')[1]
    assert 'value="1"' in ok and 'value="06901234567892"' not in ok  # the form is reset for the next scan
    assert 'data-testid="scan-ok"' in _scan(client, cid, "B1", "5")  # a SKU typed in the same field
    assert lines(runtime, cid)[shop.a].counted_qty == D(9) and lines(runtime, cid)[shop.b].counted_qty == D(5)

    before = n_entries(runtime)
    unknown = _scan(client, cid, "4006381333931")  # a valid EAN-13 no item has
    assert 'data-testid="problem-error"' in unknown and "No item has this code or SKU" in unknown
    assert 'value="4006381333931"' in unknown  # kept for correction
    bad_check = _scan(client, cid, "06901234567893")
    assert "This is not a valid barcode" in bad_check
    assert "No item has this code or SKU" in _scan(client, cid, "NOPE")
    assert "The quantity is not valid" in _scan(client, cid, GTIN_A, "-2")
    assert "This item has no lot with this code" in _scan(client, cid, GTIN_A, "1", "LOT9")
    assert n_entries(runtime) == before

    plain = post_form(client, f"/inventory/counts/{cid}/entries", {"code": "NOPE", "qty": "1"})
    assert plain.status_code == 422 and 'data-testid="problem-error"' in plain.text and "<html" in plain.text
    plain_ok = post_form(client, f"/inventory/counts/{cid}/entries", {"code": "C1", "qty": "3"})
    assert plain_ok.status_code == 303 and n_entries(runtime) == before + 1


def test_blind_count_hides_expected_quantities(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    blind = create(runtime, shop, blind=True)
    open_count = create(runtime, shop)
    enter(runtime, shop, blind, {"sku": "A1", "qty": "4"})
    page_login(client, "ann")
    for url in (f"/inventory/counts/{blind}", f"/inventory/counts/{blind}/lines"):
        r = client.get(url)
        assert r.status_code == 200 and 'data-field="expected"' not in r.text and "Expected" not in r.text
        assert _cell(r.text, "A1", "counted") == "4"
    review = client.get(f"/inventory/counts/{blind}/review", follow_redirects=False)
    assert review.status_code == 303  # no review while counting
    shown = client.get(f"/inventory/counts/{open_count}")
    assert _cell(shown.text, "A1", "expected") == "10"


def test_line_search_and_counted_filter(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(runtime, shop, cid, {"sku": "B1", "qty": "5"})
    page_login(client, "ann")
    r = client.get(f"/inventory/counts/{cid}/lines", params={"q": "b1"}, headers=HX)
    assert 'data-sku="B1"' in r.text and 'data-sku="A1"' not in r.text and "<html" not in r.text
    r = client.get(f"/inventory/counts/{cid}/lines", params={"state": "uncounted"}, headers=HX)
    assert 'data-sku="A1"' in r.text and 'data-sku="C1"' in r.text and 'data-sku="B1"' not in r.text
    r = client.get(f"/inventory/counts/{cid}/lines", params={"state": "counted"})
    assert 'data-sku="B1"' in r.text and 'data-sku="A1"' not in r.text and "<html" in r.text


def test_submit_review_values_resolve_approve_and_post(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    page_login(client, "manager")
    _scan(client, cid, GTIN_A, "9")  # expected 10 at 2.00: -1, -2.00 (10%: no recount)
    _scan(client, cid, "B1", "6")  # expected 5 at 4.00: +1, +4.00 (20%: recount)
    r = post_form(client, f"/inventory/counts/{cid}/submit")
    assert r.status_code == 303 and r.headers["location"] == f"/inventory/counts/{cid}/review"
    review = client.get(f"/inventory/counts/{cid}/review").text
    assert [m for m in re.findall(r'data-sku="(\w+)"', review)] == ["B1", "A1", "C1"]  # by |value|
    assert (_cell(review, "A1", "expected"), _cell(review, "A1", "counted")) == ("10", "9")
    assert (_cell(review, "A1", "variance"), _cell(review, "A1", "value")) == ("-1", "-2.00")
    assert (_cell(review, "B1", "variance"), _cell(review, "B1", "value")) == ("1", "4.00")
    assert 'data-flag="recount"' in _row(review, "B1") and 'data-flag="not-counted"' in _row(review, "C1")
    assert "data-flag" not in _row(review, "A1")
    assert re.search(r'data-testid="total-net">2\.00 CNY<', review)
    assert re.search(r'data-testid="total-abs">\s*6\.00', review) and re.search(r'data-testid="total-open">2<', review)
    flagged = client.get(f"/inventory/counts/{cid}/review", params={"flagged": "1"}).text
    assert 'data-sku="A1"' not in flagged and 'data-sku="B1"' in flagged

    assert 'data-testid="action-recount"' in review
    blocked = post_form(client, f"/inventory/counts/{cid}/approve")
    assert blocked.status_code == 422 and len(re.findall('data-testid="problem-error"', blocked.text)) == 2
    assert status(runtime, cid) == "review"
    line_b, line_c = lines(runtime, cid)[shop.b].id, lines(runtime, cid)[shop.c].id
    for line_id, how in ((line_c, "zero"), (line_b, "accept")):
        r = post_form(client, f"/inventory/counts/{cid}/lines", {"line_id": line_id, "resolve": how})
        assert r.status_code == 303
    resolved = client.get(f"/inventory/counts/{cid}/review").text
    assert 'data-testid="action-recount"' not in resolved  # nothing left to recount
    assert _cell(resolved, "C1", "value") == "-3.00" and 'data-flag="zero"' in _row(resolved, "C1")

    assert post_form(client, f"/inventory/counts/{cid}/approve").status_code == 303
    assert status(runtime, cid) == "approved"
    posted = post_form(client, f"/inventory/counts/{cid}/post")
    assert posted.status_code == 303 and status(runtime, cid) == "posted"
    done = client.get(f"/inventory/counts/{cid}/review").text
    assert "Posted: 3 stock moves created." in done and 'data-testid="count-actions"' not in done
    assert (on_hand(runtime, shop.site, shop.a), on_hand(runtime, shop.site, shop.b)) == (D(9), D(6))
    assert on_hand(runtime, shop.site, shop.c) == D(0) and n_variance_moves(runtime) == 3


def test_staff_without_approve_cannot_see_or_approve(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(runtime, shop, cid, {"sku": "A1", "qty": "10"}, {"sku": "B1", "qty": "5"})  # C1 stays open
    page_login(client, "ann")
    assert post_form(client, f"/inventory/counts/{cid}/submit").status_code == 303
    review = client.get(f"/inventory/counts/{cid}/review").text
    assert 'data-testid="action-approve"' not in review and 'data-testid="action-recount"' in review
    r = post_form(client, f"/inventory/counts/{cid}/approve")
    assert r.status_code == 403 and status(runtime, cid) == "review"
    assert post_form(client, f"/inventory/counts/{cid}/post").status_code == 403
    assert n_variance_moves(runtime) == 0


def test_wrong_status_is_shown_in_the_error_block(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    page_login(client, "manager")
    r = post_form(client, f"/inventory/counts/{cid}/post")
    assert r.status_code == 409 and 'data-testid="problem"' in r.text
    assert "The count is not in a state that allows this" in r.text and status(runtime, cid) == "counting"


def test_counts_of_other_sites_are_not_found(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    page_login(client, "zed")
    for url in (f"/inventory/counts/{cid}", f"/inventory/counts/{cid}/lines", f"/inventory/counts/{cid}/review"):
        assert client.get(url).status_code == 404
    assert post_form(client, f"/inventory/counts/{cid}/entries", {"code": "A1"}).status_code == 404
    assert f'data-count="{cid}"' not in client.get("/inventory/counts").text
    assert n_entries(runtime) == 0


def test_pages_in_chinese(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    make_user(runtime, shop.tenant, "lihua", [("store_manager", "S001")], locale="zh_CN")
    cid = create(runtime, shop)
    page_login(client, "lihua")
    assert "盘点" in client.get("/inventory/counts").text
    assert "记录" in client.get(f"/inventory/counts/{cid}").text
    lines_page = client.get(f"/inventory/counts/{cid}/lines").text
    assert "商品A1" in lines_page and "Item A1" not in lines_page  # item names in the reader's language
    assert "商品B1" in client.get(f"/inventory/counts/{cid}/lines", params={"q": "商品B"}).text


def test_recount_reopens_only_the_open_lines(runtime: Runtime, client: TestClient, shop: Shop) -> None:
    cid = create(runtime, shop)
    enter(runtime, shop, cid, {"sku": "A1", "qty": "10"}, {"sku": "B1", "qty": "5"})
    page_login(client, "ann")
    assert post_form(client, f"/inventory/counts/{cid}/submit").status_code == 303
    r = post_form(client, f"/inventory/counts/{cid}/recount")
    assert r.status_code == 303 and r.headers["location"] == f"/inventory/counts/{cid}"
    assert status(runtime, cid) == "counting"
    assert "This line is not being recounted" in _scan(client, cid, "A1", "1")
    assert 'data-testid="scan-ok"' in _scan(client, cid, "C1", "2")
    assert lines(runtime, cid)[shop.c].counted_qty == D(2) and lines(runtime, cid)[shop.a].counted_qty == D(10)

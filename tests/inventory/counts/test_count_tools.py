"""Confirm every uncounted line as zero in one action (with a confirmation naming the lines and the value),
the progress counter, and the printable count sheet."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from boh.bootstrap import Runtime
from boh.inventory.counts import service
from tests.factories import make_user
from tests.inventory.counts.helpers import create, enter, lines, make_shop, step
from tests.web.helpers import page_login, post_form


def test_confirm_all_zeros_states_lines_and_value_then_confirms_them(runtime: Runtime, client: TestClient) -> None:
    shop = make_shop(runtime)
    count = create(runtime, shop)
    enter(runtime, shop, count, {"sku": "A1", "qty": "10"})
    make_user(runtime, shop.tenant, "sm.one", [("store_manager", "S001")], locale="en")
    page_login(client, "sm.one")
    assert "1 of 3 lines counted" in client.get(f"/inventory/counts/{count}").text
    step(runtime, shop, service.submit, count)
    page = client.get(f"/inventory/counts/{count}/zeros")
    assert "2 lines were not counted." in page.text and "CN¥23.00" in page.text  # 5 kg x 4.00 + 3 x 1.00
    stale = post_form(client, f"/inventory/counts/{count}/zeros", {"n": "5"})
    assert stale.status_code == 200 and not any(ln.zero_confirmed for ln in lines(runtime, count).values())
    r = post_form(client, f"/inventory/counts/{count}/zeros", {"n": "2"})
    assert r.status_code == 303 and r.headers["location"].endswith("/review")
    after = lines(runtime, count)
    assert after[shop.b].zero_confirmed and after[shop.c].zero_confirmed and not after[shop.a].zero_confirmed
    assert "Every line has been counted or confirmed." in client.get(f"/inventory/counts/{count}/zeros").text


def test_the_count_sheet_lists_every_line_with_a_box_and_hides_expected_of_blind_counts(
    runtime: Runtime, client: TestClient
) -> None:
    shop = make_shop(runtime)
    count = create(runtime, shop, blind=True)
    make_user(runtime, shop.tenant, "staff", [("store_staff", "S001")], locale="en")
    page_login(client, "staff")
    r = client.get(f"/inventory/counts/{count}/sheet")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "A1" in text and "B1" in text and "C1" in text and "901234" in text
    assert "Expected" not in text

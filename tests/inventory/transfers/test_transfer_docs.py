"""Transfer documents: many lines from scans and the picker, shipped through the ledger in one go, received
in part through receiving with the difference reported, and the sender's list showing the state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.inventory import api as inventory_api
from boh.inventory.receiving import service as receiving
from boh.inventory.transfers import queries, service
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Scope
from tests.catalog.helpers import make_item
from tests.factories import make_site, make_tenant, make_user
from tests.inventory.factories import mv, post
from tests.web.helpers import page_login, post_form


def _world(rt: Runtime) -> dict[str, Any]:
    t = make_tenant(rt)
    w: dict[str, Any] = {"t": t, "dc": make_site(rt, t, "DC1", kind="dc"), "s1": make_site(rt, t, "S1")}
    w["rice"] = make_item(rt, t, "RICE", barcodes=["6901234567892"], uoms={"case": "6"})
    w["oil"] = make_item(rt, t, "OIL")
    w["tea"] = make_item(rt, t, "TEA")
    post(rt, t, *(mv(w["dc"], w[k], "receipt", "50", f"o-{k}", unit_cost=Decimal(2)) for k in ("rice", "oil", "tea")))
    return w


def _levels(rt: Runtime, w: dict[str, Any], site: int) -> dict[int, inventory_api.StockLevel]:
    with rt.session_factory() as s:
        return inventory_api.stock_levels(s, Scope(w["t"].id), site, [w["rice"], w["oil"], w["tea"]])


def test_a_document_of_many_lines_ships_and_is_received_in_part(runtime: Runtime) -> None:
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        doc = service.create(uow, from_site_id=w["dc"], to_site_id=w["s1"])
        service.add(uow, doc.id, quantity=Decimal(2), code="6901234567892")
        service.add(uow, doc.id, quantity=Decimal(1), code="6901234567892")  # same line: 3 each
        service.add(uow, doc.id, quantity=Decimal(4), item_id=w["oil"])
        tea = service.add(uow, doc.id, quantity=Decimal(5), code="TEA")
        service.set_quantity(uow, doc.id, tea, Decimal(0))  # removed again
        service.ship(uow, doc.id)
        uow.commit()
        number, doc_id = doc.number, doc.id
    assert number == f"TR-DC1-{doc_id:06d}"
    assert _levels(runtime, w, w["s1"])[w["rice"]].in_transit == Decimal(3)
    assert _levels(runtime, w, w["dc"])[w["oil"]].on_hand == Decimal(46)
    with runtime.system_uow(w["t"].id) as uow:
        r = receiving.start(uow, site_id=w["s1"], source="transfer", document_id=number, from_site_id=w["dc"],
                            idempotency_key="rcv")  # fmt: skip
        receiving.scan(uow, r.id, "RICE", Decimal(3))
        receiving.scan(uow, r.id, "OIL", Decimal(3))  # one short
        receiving.post(uow, r.id)
        uow.commit()
        assert r.discrepancies == 1
    s1 = _levels(runtime, w, w["s1"])
    assert (s1[w["rice"]].on_hand, s1[w["oil"]].on_hand, s1[w["oil"]].in_transit) == (3, 3, 0)
    with runtime.session_factory() as s:
        rows = queries.list_docs(s, Scope(w["t"].id), outgoing=True)
        assert [(d.number, d.status, d.lines, d.received) for d in rows] == [(number, "received", 2, 2)]


def test_an_empty_document_does_not_ship_and_a_shipped_one_cannot_change(runtime: Runtime) -> None:
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        doc = service.create(uow, from_site_id=w["dc"], to_site_id=w["s1"])
        with pytest.raises(ValidationFailed):
            service.ship(uow, doc.id)
        service.add(uow, doc.id, quantity=Decimal(1), code="OIL")
        service.ship(uow, doc.id)
        with pytest.raises(service.TransferDocNotDraft):
            service.add(uow, doc.id, quantity=Decimal(1), code="OIL")


def test_the_picker_finds_items_by_chinese_name_and_the_page_ships(runtime: Runtime, client: TestClient) -> None:
    w = _world(runtime)
    make_user(runtime, w["t"], "dc.manager", [("store_manager", "DC1")], locale="en")
    page_login(client, "dc.manager")
    r = post_form(client, "/inventory/transfer-docs", {"from_site_id": w["dc"], "to_site_id": w["s1"]})
    url = r.headers["location"]
    found = client.get(f"{url}/search", params={"q": "商品RI"}).text
    assert 'data-testid="pick-RICE"' in found and "pick-OIL" not in found
    post_form(client, f"{url}/lines", {"item_id": w["rice"], "qty": "2"})
    post_form(client, f"{url}/lines", {"code": "OIL", "qty": "1"})
    page = client.get(url).text
    assert page.count('data-testid="doc-line"') == 2 and "Ship 2 lines" in page
    assert post_form(client, f"{url}/ship").status_code == 303
    assert "On its way" in client.get("/inventory/transfers").text
    pdf = client.get(f"{url}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

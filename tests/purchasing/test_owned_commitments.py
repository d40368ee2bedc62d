"""What a purchasing order put on order or reserved in inventory is changed only through that order: inventory's
API and pages refuse to cancel its expected receipts or to release or ship its reservations (409 problem+json
inventory.owned_elsewhere, nothing written), the worker never expires them, and the order's own cancel, close
and dispatch still do it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from boh.bootstrap import Runtime
from boh.inventory.api import ReservationIn, reserve
from boh.inventory.commitments import tasks
from boh.inventory.commitments.models import Commitment, CommitmentEntry
from boh.inventory.models import Move
from boh.kernel.clock import utcnow
from boh.kernel.errors import ValidationFailed
from boh.purchasing import service
from boh.purchasing.models import Order
from tests.factories import login, make_user
from tests.purchasing.helpers import World, get, levels, make_world, order_lines, place, po_request, to_request
from tests.web.helpers import page_login, post_form

URL = "/api/v1/inventory"
Z = Decimal(0)


def _written(runtime: Runtime) -> tuple[int, int]:
    """(commitment entries, moves): what a refused command must not add to."""
    with runtime.session_factory() as s:
        entries = s.scalar(select(func.count()).select_from(CommitmentEntry)) or 0
        moves = s.scalar(select(func.count()).select_from(Move)) or 0
        return int(entries), int(moves)


def _refused(r: object, managed_at: str) -> None:
    assert r.status_code == 409, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert (body["code"], body["owner"], body["managed_at"]) == ("inventory.owned_elsewhere", "purchasing", managed_at)


def _boss(runtime: Runtime, w: World, client: TestClient) -> dict[str, str]:
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    return login(client, "boss")


def test_the_api_refuses_to_cancel_an_order_s_expected_receipt_and_the_order_s_cancel_does_it(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    h = _boss(runtime, w, client)
    [po] = place(runtime, w, [po_request(w, "24")], confirm=True)
    [line] = order_lines(runtime, po.order_id)
    before = _written(runtime)
    for body in ({"reason": "not needed", "idempotency_key": "c1"},
                 {"quantity": "12", "reason": "half", "idempotency_key": "c2"}):  # fmt: skip
        r = client.post(f"{URL}/incoming/{line.commitment_id}/cancel", headers=h, json=body)
        _refused(r, f"/purchasing/orders/{po.order_id}/receive")
    assert _written(runtime) == before
    assert levels(runtime, w, w.store, w.milk) == (Z, Decimal(24), Z, Z)
    assert get(runtime, Commitment, line.commitment_id).open_quantity == Decimal(24)
    r = client.post(f"/api/v1/purchasing/orders/{po.order_id}/cancel", headers=h, json={"reason": "not needed"})
    assert r.status_code == 200, r.text
    assert levels(runtime, w, w.store, w.milk) == (Z, Z, Z, Z)
    assert get(runtime, Commitment, line.commitment_id).status == "closed"


def test_the_api_refuses_to_release_or_ship_a_transfer_s_reservation_and_dispatch_ships_it(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    h = _boss(runtime, w, client)
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    [line] = order_lines(runtime, to.order_id)
    link = f"/purchasing/orders/{to.order_id}/receive"
    before = _written(runtime)
    rid = line.reservation_id
    _refused(client.post(f"{URL}/reservations/{rid}/release", headers=h,
                         json={"reason": "x", "idempotency_key": "r1"}), link)  # fmt: skip
    _refused(client.post(f"{URL}/reservations/{rid}/fulfil", headers=h,
                         json={"move_type": "transfer_out", "to_site_id": w.store2, "idempotency_key": "f1"}),
             link)  # fmt: skip
    _refused(client.post(f"{URL}/reservations/{rid}/fulfil", headers=h,
                         json={"move_type": "sale", "quantity": "1", "idempotency_key": "f2"}), link)  # fmt: skip
    assert _written(runtime) == before
    assert levels(runtime, w, w.dc, w.bread) == (Decimal(10), Z, Decimal(4), Z)
    assert levels(runtime, w, w.store2, w.bread) == (Z, Z, Z, Z)
    r = client.post(f"/api/v1/purchasing/orders/{to.order_id}/dispatch", headers=h, json={"idempotency_key": "d1"})
    assert r.status_code == 200, r.text
    assert levels(runtime, w, w.dc, w.bread) == (Decimal(6), Z, Z, Z)
    assert levels(runtime, w, w.store, w.bread) == (Z, Z, Z, Decimal(4))


def test_a_transfer_order_s_cancel_and_close_give_back_what_it_holds(runtime: Runtime) -> None:
    w = make_world(runtime)
    first, second = place(runtime, w, [to_request(w, "4"), to_request(w, "3", site=w.store2)], confirm=True)
    assert levels(runtime, w, w.dc, w.bread)[2] == Decimal(7)
    with runtime.system_uow(w.tenant.id) as uow:
        service.cancel(uow, first.order_id, reason="not needed")
        service.close(uow, second.order_id, reason="done")
        uow.commit()
    assert levels(runtime, w, w.dc, w.bread) == (Decimal(10), Z, Z, Z)
    assert levels(runtime, w, w.store, w.bread)[1] == Z and levels(runtime, w, w.store2, w.bread)[1] == Z
    assert (get(runtime, Order, first.order_id).status, get(runtime, Order, second.order_id).status) == (
        "cancelled", "closed")  # fmt: skip


def test_the_worker_never_expires_an_order_s_reservation(runtime: Runtime) -> None:
    w = make_world(runtime)
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    [line] = order_lines(runtime, to.order_id)
    past = utcnow() - timedelta(hours=1)
    with runtime.system_uow(w.tenant.id) as uow:
        with pytest.raises(ValidationFailed) as refused:  # an owned reservation takes no expiry
            reserve(uow, ReservationIn(site_id=w.dc, item_id=w.bread, quantity=Decimal(1), document_type="x",
                                       document_id="X-1", expires_at=past, idempotency_key="own-exp"),
                    owner="purchasing")  # fmt: skip
        assert refused.value.errors[0].loc == ("expires_at",)
        # one from before the rule (or written by hand) that has an expiry, and an unowned one beside it
        uow.session.execute(update(Commitment).where(Commitment.id == line.reservation_id).values(expires_at=past))
        reserve(uow, ReservationIn(site_id=w.dc, item_id=w.bread, quantity=Decimal(2), document_type="sales_order",
                                   document_id="SO-1", expires_at=past, idempotency_key="free-exp"))  # fmt: skip
        uow.commit()
    assert levels(runtime, w, w.dc, w.bread)[2] == Decimal(6)
    assert tasks.expire_reservations(runtime) == {"released": 1}  # the unowned one only
    assert levels(runtime, w, w.dc, w.bread)[2] == Decimal(4)
    assert get(runtime, Commitment, line.reservation_id).status == "open"
    with runtime.system_uow(w.tenant.id) as uow:  # the owner's dispatch still ships it
        service.dispatch(uow, to.order_id, idempotency_key="d1")
        uow.commit()
    assert levels(runtime, w, w.dc, w.bread) == (Decimal(6), Z, Z, Z)


def test_inventory_s_page_links_to_the_order_instead_of_offering_release_or_cancel(
    runtime: Runtime, client: TestClient
) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    [to] = place(runtime, w, [to_request(w, "4")], confirm=True)
    [line] = order_lines(runtime, to.order_id)
    with runtime.system_uow(w.tenant.id) as uow:  # an unowned reservation beside it keeps its button
        free = reserve(uow, ReservationIn(site_id=w.dc, item_id=w.bread, quantity=Decimal(2),
                                          document_type="sales_order", document_id="SO-9",
                                          idempotency_key="so-9")).commitment.id  # fmt: skip
        uow.commit()
    page_login(client, "boss")
    client.cookies.set("boh_lang", "en")
    page = client.get("/inventory/commitments", params={"site_id": w.dc}).text
    link = f"/purchasing/orders/{to.order_id}/receive"
    assert f'href="{link}" data-testid="managed-by"' in page and f"Managed by order {to.number}" in page
    assert f"/inventory/reservations/{line.reservation_id}/release" not in page
    assert f"/inventory/reservations/{free}/release" in page
    before = _written(runtime)
    r = post_form(client, f"/inventory/reservations/{line.reservation_id}/release", {"idempotency_key": "p1"})
    assert r.status_code == 303 and r.headers["location"] == link
    assert _written(runtime) == before and levels(runtime, w, w.dc, w.bread)[2] == Decimal(6)
    client.cookies.set("boh_lang", "zh_CN")
    zh = client.get("/inventory/commitments", params={"site_id": w.dc}).text
    assert f"由订单 {to.number} 管理" in zh

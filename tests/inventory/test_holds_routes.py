"""Lot holds over HTTP: list, hold with a reason, release with a reason; permission-checked, site-scoped
(a store manager acts only on lots at their store), problem+json, idempotent retries, audited; recall
holds are released by their recall, not here."""

from __future__ import annotations

from decimal import Decimal as D

from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.inventory import api
from boh.inventory.models import Lot, LotHold
from boh.kernel.audit import AuditRecord
from tests.factories import login, make_user
from tests.inventory.factories import World, make_world, mv, post
from tests.inventory.test_holds import available, lot_id

API = "/api/v1/inventory/holds"


def _lots(rt: Runtime, w: World) -> tuple[int, int]:
    post(rt, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", unit_cost=D(1), lot_code="L-S1"))
    post(rt, w.tenant, mv(w.s2, w.item, "receipt", "7", "b", unit_cost=D(1), lot_code="L-S2"))
    return lot_id(rt, w.item, "L-S1"), lot_id(rt, w.item, "L-S2")


def _count(rt: Runtime, model, *where) -> int:  # type: ignore[no-untyped-def]
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_hold_list_and_release_with_reasons(runtime, client) -> None:
    w = make_world(runtime)
    a, b = _lots(runtime, w)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    body = {"lot_ids": [b, a], "reason": "Suspected contamination", "source": "quarantine", "source_ref": "QA-7"}
    r = client.post(API, headers=h, json=body)
    assert r.status_code == 201, r.text
    assert [(x["lot_code"], x["reason"], x["source_ref"]) for x in r.json()["holds"]] == [
        ("L-S1", "Suspected contamination", "QA-7"), ("L-S2", "Suspected contamination", "QA-7")]  # fmt: skip
    assert client.post(API, headers=h, json=body).status_code == 201  # a retry holds nothing twice
    assert (
        _count(runtime, LotHold) == 2 and _count(runtime, AuditRecord, AuditRecord.action == "inventory.lot.hold") == 1
    )
    assert available(runtime, w) == D(0)
    listed = client.get(API, headers=h).json()
    assert listed["total"] == 2 and {x["lot_id"] for x in listed["items"]} == {a, b}
    assert client.get(f"{API}?site_id={w.s2}", headers=h).json()["total"] == 1
    r = client.post(f"{API}/lots/{a}/release", headers=h, json={"reason": "Lab test negative"})
    assert r.status_code == 200, r.text
    assert (r.json()["on_hold"], [x["release_reason"] for x in r.json()["released"]]) == (False, ["Lab test negative"])
    again = client.post(f"{API}/lots/{a}/release", headers=h, json={"reason": "Lab test negative"})
    assert (again.status_code, again.json()["released"]) == (200, [])
    assert available(runtime, w) == D(5)
    assert client.get(f"{API}?include_released=true", headers=h).json()["total"] == 2
    assert client.get(API, headers=h).json()["total"] == 1
    assert _count(runtime, AuditRecord, AuditRecord.action == "inventory.lot.release_hold") == 1


def test_store_manager_acts_only_on_lots_at_their_store(runtime, client) -> None:
    w = make_world(runtime)
    a, b = _lots(runtime, w)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    h = login(client, "mgr")
    r = client.post(API, headers=h, json={"lot_ids": [a, b], "reason": "Smells off"})
    assert r.status_code == 404 and r.json()["code"] == "inventory.lot_not_found"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _count(runtime, LotHold) == 0  # all or none
    assert client.post(API, headers=h, json={"lot_ids": [a], "reason": "Smells off"}).status_code == 201
    with runtime.system_uow(w.tenant.id) as uow:
        api.hold_lots(uow, [b], reason="QA", source="quarantine")
        uow.commit()
    assert [x["lot_id"] for x in client.get(API, headers=h).json()["items"]] == [a]
    assert client.post(f"{API}/lots/{b}/release", headers=h, json={"reason": "x"}).status_code == 404
    assert _count(runtime, LotHold, LotHold.lot_id == b, LotHold.released_at.is_(None)) == 1


def test_permissions_validation_and_recall_holds(runtime, client) -> None:
    w = make_world(runtime)
    a, _b = _lots(runtime, w)
    make_user(runtime, w.tenant, "staff", [("store_staff", "S001")])
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    staff, h = login(client, "staff"), login(client, "boss")
    assert client.get(API, headers=staff).status_code == 200
    assert client.post(API, headers=staff, json={"lot_ids": [a], "reason": "x"}).status_code == 403
    r = client.post(API, headers=h, json={"lot_ids": [], "reason": "", "source": "Bad Source"})
    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["errors"]} == {"lot_ids", "reason", "source"}
    assert client.post(API, headers=h, json={"lot_ids": [a], "reason": "x", "source": "recall"}).status_code == 422
    with runtime.system_uow(w.tenant.id) as uow:
        api.hold_lots(uow, [a], reason="recall", source="recall", source_ref="9")
        uow.commit()
    r = client.post(f"{API}/lots/{a}/release", headers=h, json={"reason": "done"})
    assert r.status_code == 200 and r.json()["released"] == [] and r.json()["on_hold"] is True
    assert (
        client.post(f"{API}/lots/{a}/release", headers=h, json={"reason": "x", "source": "recall"}).status_code == 422
    )
    with runtime.session_factory() as s:
        assert s.scalar(select(Lot.on_hold).where(Lot.id == a)) is True

"""Ledger rules per tenant: how far back people and integrations may date a move (floor events are facts,
recorded at their own time and never limited)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import service
from boh.inventory.schemas import SettingsIn
from boh.kernel.audit import AuditRecord
from boh.kernel.clock import utcnow
from boh.kernel.errors import ValidationFailed
from tests.factories import login, make_user
from tests.inventory.factories import make_world, mv, post
from tests.inventory.ingest.helpers import ingest, make_floor, on_hand, sale


def limit(rt: Runtime, tenant_id: int, days: int | None) -> None:
    with rt.system_uow(tenant_id) as uow:
        service.put_settings(uow, SettingsIn(max_backdate_days=days))
        uow.commit()


def test_moves_dated_beyond_the_limit_are_refused_with_every_other_error(runtime: Runtime) -> None:
    w = make_world(runtime)
    old = utcnow() - timedelta(days=10)
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "a", event_at=old))  # no limit yet
    limit(runtime, w.tenant.id, 7)
    with pytest.raises(ValidationFailed) as refused:
        post(
            runtime, w.tenant,
            mv(w.s1, w.item, "receipt", "5", "b", event_at=old),
            mv(w.s1, w.item, "receipt", "5", "c", event_at=utcnow() - timedelta(days=6)),
            mv(w.s1, w.item, "sale", "0", "d", event_at=old),
        )  # fmt: skip
    assert sorted((e.loc[1], e.code) for e in refused.value.errors if e.loc[-1] == "event_at") == [
        (0, "inventory.backdate_limit"),
        (2, "inventory.backdate_limit"),
    ]
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "c", event_at=utcnow() - timedelta(days=6)))
    limit(runtime, w.tenant.id, None)  # lifted again
    post(runtime, w.tenant, mv(w.s1, w.item, "receipt", "5", "b", event_at=old))
    with runtime.session_factory() as s:
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.action == "inventory.settings.update"))
        assert len(actions.all()) == 2


def test_floor_events_are_never_limited(runtime: Runtime) -> None:
    f = make_floor(runtime)
    limit(runtime, f.tenant.id, 0)
    result = ingest(runtime, f, [sale("late-1", occurred_at=(utcnow() - timedelta(days=30)).isoformat())])
    assert result.accepted == 1 and on_hand(runtime, f.sh01, f.milk) == D(-1)


def test_settings_api_is_read_by_staff_and_set_by_hq(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, w.tenant, "mgr1", [("store_manager", "S001")])
    boss, mgr = login(client, "boss"), login(client, "mgr1")
    url = "/api/v1/inventory/settings"
    assert client.get(url, headers=mgr).json() == {
        "max_backdate_days": None,
        "held_lot_sales": "refuse",
        "updated_at": None,
        "updated_by": None,
    }
    assert client.put(url, headers=mgr, json={"max_backdate_days": 3}).status_code == 403
    bad = client.put(url, headers=boss, json={"max_backdate_days": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "max_backdate_days"
    ok = client.put(url, headers=boss, json={"max_backdate_days": 3})
    assert ok.status_code == 200 and ok.json()["max_backdate_days"] == 3 and ok.json()["updated_by"].startswith("user:")
    body = {"moves": [{"site_id": w.s1, "item_id": w.item, "move_type": "receipt", "quantity": "1",
                       "idempotency_key": "x", "event_at": (utcnow() - timedelta(days=4)).isoformat()}]}  # fmt: skip
    refused = client.post("/api/v1/inventory/moves", headers=boss, json=body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "inventory.backdate_limit"

"""The floor simulator of ``boh quickstart``: its key and settings, and that it never raises. No real server
is started: the key is checked through the app in a TestClient, the failure path against a closed port."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.demo import live
from boh.org.models import ApiKey
from tests.factories import make_site, make_tenant


def test_quickstart_simulator_key_may_only_read_the_catalog_and_send_floor_events(
    runtime: Runtime, client: TestClient
) -> None:
    tenant = make_tenant(runtime)
    make_site(runtime, tenant, "SH01")
    with runtime.system_uow(tenant.id) as uow:
        config = live.simulator_config(uow, "0.0.0.0", 8123)
        uow.commit()
    assert config.url == "http://127.0.0.1:8123" and config.sites == ("SH01", "SH02", "SH03")
    assert config.rate == 5.0 and "pos" in config.mix and "rfid" in config.mix
    with runtime.session_factory() as s:
        key = s.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant.id)).one()
    assert key.name == "quickstart simulator :8123" and key.site_id is None and key.revoked_at is None
    assert sorted(key.permissions) == [
        "catalog.assortment.read",
        "catalog.item.read",
        "inventory.events.write",
        "org.site.read",
    ]
    headers = {"X-API-Key": config.api_key}
    sites = client.get("/api/v1/org/sites", headers=headers)
    assert sites.status_code == 200 and [x["code"] for x in sites.json()["items"]] == ["SH01"]
    denied = client.post("/api/v1/inventory/moves", headers=headers, json={"moves": []})
    assert denied.status_code == 403, denied.text
    # the next quickstart makes a new key and revokes this one
    with runtime.system_uow(tenant.id) as uow:
        again = live.simulator_config(uow, "127.0.0.1", 8123)
        uow.commit()
    assert client.get("/api/v1/org/sites", headers=headers).status_code == 401
    assert client.get("/api/v1/org/sites", headers={"X-API-Key": again.api_key}).status_code == 200
    with runtime.session_factory() as s:
        live_keys = s.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant.id, ApiKey.revoked_at.is_(None))).all()
    assert len(live_keys) == 1
    # a quickstart on another port (a second server beside the first) leaves the first one's key alone
    with runtime.system_uow(tenant.id) as uow:
        other = live.simulator_config(uow, "127.0.0.1", 8124)
        uow.commit()
    for key_text in (again.api_key, other.api_key):
        assert client.get("/api/v1/org/sites", headers={"X-API-Key": key_text}).status_code == 200


def test_quickstart_stops_before_writing_anything_when_its_port_is_taken() -> None:
    import socket

    import typer

    from boh.demo.cli import port_in_use, refuse_busy_port

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        with pytest.raises(typer.Exit):
            refuse_busy_port("127.0.0.1", port)
    assert not port_in_use("127.0.0.1", port)


def test_the_simulator_warns_and_returns_when_the_server_never_comes_up(caplog: pytest.LogCaptureFixture) -> None:
    config = live.SimulatorConfig(url="http://127.0.0.1:9", api_key="boh_x_y", ready_timeout=0.6)
    with caplog.at_level(logging.WARNING, logger="boh.demo.live"):
        live.run_simulator(config, duration=0.1)  # returns, never raises
    assert any("did not come up" in r.getMessage() for r in caplog.records)
    assert "Inventory -> Live" in live.banner(config) and "SH01, SH02, SH03" in live.banner(config)

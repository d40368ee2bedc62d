"""Cold-chain console pages: the dashboard with a chart per unit and the excursion marked, the decision
screen (waste), the HACCP log with its sign-off and PDF."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.coldchain.models import Excursion, Exposure, Record
from tests.coldchain.helpers import ingest, make_world, readings
from tests.factories import make_user

WARM = [3.0] * 10 + [8.0] * 30 + [3.0] * 10


def _login_page(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    data = {"username": username, "password": "correct-horse-battery"}
    if token:
        data["csrf_token"] = token.group(1)
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code in (302, 303), r.text[:300]


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_dashboard_decision_and_log(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    ingest(runtime, w.tenant, readings(WARM))
    _login_page(client, "mgr")
    dash = client.get("/coldchain/?day=2026-12-01")  # the store is in Asia/Shanghai: 08:10-08:40 local
    assert dash.status_code == 200
    assert 'data-testid="unit-F1"' in dash.text and 'data-testid="unit-Z1"' in dash.text
    assert dash.text.count('data-testid="unit-excursion"') == 1  # the fridge's excursion, marked
    block = re.search(rf'id="chart-data-unit-{w.fridge}">(.*?)</script>', dash.text, re.S)
    assert block is not None
    marked = [v for v in json.loads(block.group(1))["series"][1]["values"] if v is not None]
    assert marked == ["8.00"] * 3  # 00:10-00:40 in 10-minute means, marked
    with runtime.session_factory() as s:
        exc_id = s.scalars(select(Excursion.id)).one()
        exposure_id = s.scalars(select(Exposure.id)).one()
    page = client.get(f"/coldchain/excursions/{exc_id}")
    assert page.status_code == 200 and 'data-testid="lot-M-1"' in page.text
    r = client.post(f"/coldchain/exposures/{exposure_id}/decision",
                    data={"csrf_token": _csrf(page.text), "excursion_id": str(exc_id), "action": "waste",
                          "reason": "milk above 5 °C for 30 min"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    with runtime.session_factory() as s:
        assert s.scalars(select(Exposure.status)).one() == "wasted"
    log = client.get(f"/coldchain/units/{w.fridge}/log?day=2026-12-01")
    assert log.status_code == 200 and log.text.count('data-testid="log-excursion"') == 1
    r = client.post(
        f"/coldchain/units/{w.fridge}/signoff",
        data={"csrf_token": _csrf(log.text), "day": "2026-12-01", "note": "checked"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with runtime.session_factory() as s:
        assert [(x.kind, x.note) for x in s.scalars(select(Record))] == [("signoff", "checked")]
    pdf = client.get(f"/coldchain/units/{w.fridge}/log.pdf?day=2026-12-01")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

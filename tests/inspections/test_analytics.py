"""Analytics (trends, most-failed and repeat items, consistency between inspectors, overdue actions, time to
close, stores beside other domains' facts), their CSV/XLSX exports and the PDF report of an inspection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from tests.factories import login, make_user
from tests.inspections.helpers import Shop, shop
from tests.inspections.test_visits import API, AT_STORE, _answers, _complete


def _inspect(client: TestClient, s: Shop, who: dict[str, str], key: str, day: int, clean: str, display: str) -> int:
    body = {"site_id": s.site, "template_id": s.template["id"], "idempotency_key": key}
    vid = client.post(f"{API}/visits", json=body, headers=who).json()["id"]
    client.post(f"{API}/visits/{vid}/checkin", json=AT_STORE, headers=who)
    s2 = Shop(s.tenant, s.site, s.admin, who, s.inspector_id, s.manager, s.manager_id, s.template)
    _complete(client, s2, vid)
    _answers(client, s2, vid, [("clean", clean), ("display", display)], f"{key}-x")
    with clock.frozen(datetime(2026, 2, day, 3, 0, tzinfo=UTC)):
        r = client.post(f"{API}/visits/{vid}/submit", json={}, headers=who)
    assert r.status_code == 200, r.text
    return int(vid)


def test_reports_exports_and_the_pdf(runtime: Runtime, client: TestClient) -> None:
    s = shop(runtime, client)
    make_user(runtime, s.tenant, "inspector2", [("inspector", None)])
    other = login(client, "inspector2")
    _inspect(client, s, s.inspector, "k1", 2, "no", "5")  # 8 of 10 -> 80
    _inspect(client, s, other, "k2", 9, "no", "3")  # 7.2 -> 72
    vid = _inspect(client, s, s.inspector, "k3", 16, "yes", "5")  # 100
    q = "start=2026-02-01&end=2026-02-28"
    with clock.frozen(datetime(2026, 3, 20, 3, 0, tzinfo=UTC)):
        trend = client.get(f"{API}/analytics?report=trend&by=store&{q}", headers=s.admin).json()
        failed = client.get(f"{API}/analytics?report=failed_items&{q}", headers=s.admin).json()
        repeat = client.get(f"{API}/analytics?report=repeat_failures&{q}", headers=s.admin).json()
        spread = client.get(f"{API}/analytics?report=consistency&{q}", headers=s.admin).json()
        overdue = client.get(f"{API}/analytics?report=overdue&{q}", headers=s.admin).json()
        stores = client.get(f"{API}/analytics?report=stores&{q}", headers=s.admin).json()
        export = client.get(f"{API}/analytics/export?report=failed_items&format=csv&{q}", headers=s.admin)
        xlsx = client.get(f"{API}/analytics/export?report=consistency&format=xlsx&{q}", headers=s.admin)
    assert trend["rows"] == [["2026-02", "S001", "84.00", 3]]
    assert failed["rows"][0][:5] == ["FS", "clean", "Chiller clean", 2, "66.67"]
    assert [r[2] for r in repeat["rows"]] == ["clean"]
    by_name = {r[0]: r for r in spread["rows"]}  # mean 84: inspector1 (80, 100) +6, inspector2 (72) -12
    assert by_name["Inspector1"][3] == "6.00" and by_name["Inspector2"][3] == "-12.00"
    assert by_name["Inspector1"][4] == "10.00"
    assert [r[2] for r in overdue["rows"]] == ["Chiller clean", "Chiller clean"]  # two open, due 14 days after
    assert stores["header"][-1] == "sales" and stores["rows"][0][:4] == ["S001", "—", "84.00", 3]
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == failed["header"] and rows[1][1] == "clean"
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[1]] == spread["header"]

    pdf = client.get(f"{API}/visits/{vid}/report.pdf", headers=s.manager)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "INS-" in text and "S001" in text and "Chiller temperature" in text and "100.00" in text
    zh = client.get(f"{API}/visits/{vid}/report.pdf?lang=zh_CN", headers=s.manager)
    assert zh.status_code == 200 and len(PdfReader(io.BytesIO(zh.content)).pages) >= 1
    assert client.get(f"{API}/analytics", headers=s.manager).status_code == 200  # store managers see their store
    staff = make_user(runtime, s.tenant, "staffer", [("store_staff", "S001")])
    assert staff and client.get(f"{API}/analytics", headers=login(client, "staffer")).status_code == 403

"""Finding 3 (stocktake): above the threshold, only a manager *of the count's site* approves. A role name
is not enough: a regional manager of another region, who is also this store's store manager, is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.inventory.counts.models import Count
from boh.kernel.audit import AuditRecord
from tests.factories import login, make_region, make_site, make_user
from tests.inventory.counts.helpers import make_shop, n_rows

URL = "/api/v1/inventory/counts"


def test_a_manager_of_another_region_cannot_approve_above_the_threshold(runtime: Runtime, client: TestClient) -> None:
    shop = make_shop(runtime)  # S001, no region
    make_region(runtime, shop.tenant, "WEST", "West")
    make_site(runtime, shop.tenant, "W001", region_code="WEST")
    make_user(runtime, shop.tenant, "boss", [("hq_admin", None)])
    make_user(runtime, shop.tenant, "westie", [("store_manager", "S001"), ("regional_manager", "W001")])
    make_user(runtime, shop.tenant, "region", [("regional_manager", "S001")])
    boss, westie, region = login(client, "boss"), login(client, "westie"), login(client, "region")
    limits = {"approval_threshold": "5", "recount_pct": "100", "recount_value": "100"}
    assert client.put(f"{URL}/settings", headers=boss, json=limits).status_code == 200
    cid = client.post(URL, headers=westie, json={"site_id": shop.site}).json()["id"]
    assert client.post(f"{URL}/{cid}/start", headers=westie).status_code == 200
    entries = [{"sku": "A1", "qty": "7"}, {"sku": "B1", "qty": "5"}, {"sku": "C1", "qty": "3"}]
    assert client.post(f"{URL}/{cid}/entries", headers=westie, json={"entries": entries}).status_code == 200
    assert client.post(f"{URL}/{cid}/submit", headers=westie).json()["total_abs_value"] == "6.000000"

    r = client.post(f"{URL}/{cid}/approve", headers=westie)  # manager roles, but not of this site
    assert r.status_code == 403 and r.json()["code"] == "inventory.count_manager_approval_required", r.text
    assert n_rows(runtime, Count, Count.status == "approved") == 0
    assert n_rows(runtime, AuditRecord, AuditRecord.action == "inventory.count.approve") == 0
    r = client.post(f"{URL}/{cid}/approve", headers=region)  # the regional manager of this site
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text

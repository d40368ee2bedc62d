"""The kitchen pages render in both languages with real data, and their forms work without script: the
recipe editor saves and publishes lines and shows cost and allergens, a what-if, a plan from pasted demand
rows with a batch started from it and recorded from the phone screen."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kitchen.models import Batch
from tests.factories import login, make_user
from tests.kitchen.helpers import Kitchen, make_kitchen, receive, recipe, standard_recipes


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=headers).text)
    assert found, url
    return found.group(1)


def _setup(runtime: Runtime, client: TestClient) -> tuple[Kitchen, dict[str, str], dict[str, int]]:
    k = make_kitchen(runtime)
    make_user(runtime, k.tenant, "chef", [("hq_admin", None)])
    ids = standard_recipes(runtime, k)
    for item, cost in ((k.tomato, "3"), (k.oil, "10"), (k.pasta, "2.5"), (k.cheese, "20")):
        receive(runtime, k, k.ck, item, "10", cost)
    return k, login(client, "chef"), ids


def test_pages_render_in_both_languages(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    k, admin, ids = _setup(runtime, client)
    urls = ["/kitchen/", f"/kitchen/recipes/{ids['meal']}?site_id={k.ck}"]
    for lang, word in (("en", "Kitchen"), ("zh_CN", "厨房")):
        client.cookies.set("boh_lang", lang)
        for url in urls:
            r = client.get(url, headers=admin)
            assert r.status_code == 200, (url, lang)
            assert word in r.text, (url, lang)
    client.cookies.set("boh_lang", "en")
    page = client.get(f"/kitchen/recipes/{ids['meal']}?site_id={k.ck}", headers=admin).text
    assert 'data-allergen="gluten"' in page and 'data-allergen="milk"' in page


def test_editor_saves_publishes_and_what_if(runtime: Runtime, client: TestClient) -> None:
    k, admin, _ids = _setup(runtime, client)
    rid = recipe(runtime, k, k.soda, {"yield_qty": "1", "lines": [{"item_id": k.oil, "quantity": "1"}]}, publish=False)
    url = f"/kitchen/recipes/{rid}?site_id={k.ck}"
    token = _csrf(client, url, admin)
    form = {
        "csrf_token": token,
        "yield_qty": "2",
        "sku_0": "TOMATO",
        "qty_0": "500",
        "uom_0": "g",
        "loss_0": "0",
        "sku_1": "NOPE",
        "qty_1": "1",
        "stocked": "on",
        "publish": "1",
        "site_id": str(k.ck),
    }
    r = client.post(f"/kitchen/recipes/{rid}", data=form, headers=admin)
    assert r.status_code == 422 and "Unknown SKU: NOPE" in r.text
    form |= {"sku_1": "CHEESE", "qty_1": "0.1"}
    r = client.post(f"/kitchen/recipes/{rid}", data=form, headers=admin, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(url, headers=admin).text
    assert "Version 1" in page and 'data-allergen="milk"' in page
    assert "Cost of a batch: 3.5 CNY" in page  # 0.5 kg tomato at 3 + 0.1 kg cheese at 20 for the batch of 2
    r = client.post(
        f"/kitchen/recipes/{rid}/what-if?site_id={k.ck}",
        data={"csrf_token": token, "sku": "CHEESE", "price": "30"},
        headers=admin,
    )
    assert "With CHEESE at 30: 4.5 instead of 3.5" in r.text


def test_plan_from_pasted_demand_then_a_batch_recorded(runtime: Runtime, client: TestClient) -> None:
    k, admin, _ids = _setup(runtime, client)
    token = _csrf(client, "/kitchen/", admin)
    r = client.post(
        "/kitchen/plans",
        data={
            "csrf_token": token,
            "site_id": str(k.ck),
            "start": "2026-11-23",
            "capacity": "prep=480",
            "demand": "SAUCE, 2026-11-26, 8\n",
        },
        headers=admin,
        follow_redirects=False,
    )
    assert r.status_code == 303
    plan_url = r.headers["location"]
    page = client.get(plan_url, headers=admin).text
    assert 'data-day="2026-11-25"' in page and 'data-item="SAUCE"' in page
    plan_id = int(plan_url.rsplit("/", 1)[1])
    r = client.post(
        "/kitchen/batches",
        data={
            "csrf_token": token,
            "site_id": str(k.ck),
            "item_id": str(k.sauce),
            "planned_qty": "8",
            "plan_id": str(plan_id),
        },
        headers=admin,
        follow_redirects=False,
    )
    batch_url = r.headers["location"]
    r = client.post(
        batch_url,
        data={"csrf_token": token, "actual_qty": "7.6", "waste_qty": "0.2", "waste_reason": "burnt", "key": "k1"},
        headers=admin,
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(batch_url, headers=admin).text
    assert 'data-testid="batch-done"' in page and "(yield 95 %)" in page and "Burnt" in page
    with runtime.session_factory() as s:
        b = s.scalars(select(Batch)).one()
        assert (b.status, b.plan_id) == ("done", plan_id)
        assert b.lot_code.startswith("CK01-SAUCE-") and b.lot_code.endswith("-01")  # a traceability lot code


def test_usage_page_shows_the_variance_per_ingredient_charted_in_both_languages(
    runtime: Runtime, client: TestClient
) -> None:
    from boh.inventory.ingest import service as ingest_service

    k, admin, _ids = _setup(runtime, client)
    receive(runtime, k, k.store, k.pasta, "5", "2.50")
    receive(runtime, k, k.store, k.sauce, "2", "4.00")
    receive(runtime, k, k.store, k.cheese, "1", "20.00")
    sale = {"event_id": "u1", "source": "pos:SH01:1", "site": "SH01", "kind": "sale", "sku": "DISH", "qty": "8",
            "occurred_at": "2026-11-25T12:00:00+08:00"}  # fmt: skip
    with runtime.system_uow(k.tenant.id) as uow:
        ingest_service.ingest(uow, [sale])
        uow.commit()
    url = f"/kitchen/usage?site_id={k.store}&start=2026-11-25&end=2026-11-25"
    page = client.get(url, headers=admin)
    assert page.status_code == 200
    rows = re.findall(r'<td data-label="Ingredient">(\w+) ', page.text)
    assert set(rows) == {"PASTA", "SAUCE", "CHEESE"}  # what the dish's recipe uses
    assert 'data-testid="chart-usage-variance"' in page.text and 'data-testid="usage-figures"' in page.text
    client.cookies.set("boh_lang", "zh_CN")
    assert "用量差异" in client.get(url, headers=admin).text
    client.cookies.set("boh_lang", "en")
    # a period with no sale through a recipe says so; a reversed period is refused with the reason
    empty = client.get(f"/kitchen/usage?site_id={k.store}&start=2026-10-01&end=2026-10-02", headers=admin)
    assert 'data-testid="usage-empty"' in empty.text and 'data-testid="usage"' not in empty.text
    bad = client.get(f"/kitchen/usage?site_id={k.store}&start=2026-11-26&end=2026-11-25", headers=admin)
    assert bad.status_code == 422 and "must not be after" in bad.text
    assert 'data-testid="usage-link"' in client.get("/kitchen/", headers=admin).text

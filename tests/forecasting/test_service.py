"""Forecasting against a real database: the ledger's sale moves as demand history (stockout days censored),
a run stored with its quantiles, metrics, model version and features, and the API: read a forecast, enter
promotions and weather, import a chain's history (every bad row listed, nothing imported)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from boh.bootstrap import Runtime
from boh.catalog.models import Item
from boh.forecasting import models, service, tasks
from boh.inventory.api import daily_sales
from boh.kernel.clock import utcnow
from tests.catalog.helpers import make_category
from tests.factories import login, make_site, make_tenant, make_user
from tests.inventory.factories import make_item, mv, post

DAYS = 63


def _world(rt: Runtime) -> tuple[object, list[int], list[int]]:
    t = make_tenant(rt)
    sites = [make_site(rt, t, "S001"), make_site(rt, t, "S002")]
    items = [make_item(rt, t, "MILK-1L"), make_item(rt, t, "BREAD")]
    return t, sites, items


def _sell(rt: Runtime, t: object, sites: list[int], items: list[int]) -> datetime:
    """DAYS days of sales ending yesterday; S002 x BREAD runs out of stock on the last Sunday."""
    first = datetime.combine(utcnow().date() - timedelta(days=DAYS), time(9), tzinfo=UTC)
    rng = np.random.default_rng(5)
    moves = []
    for s in sites:
        for i in items:
            last_sunday = DAYS - 1 - ((first + timedelta(days=DAYS - 1)).weekday() + 1) % 7
            out_day = last_sunday if (s, i) == (sites[1], items[1]) else -1
            moves.append(mv(s, i, "receipt", "10000", f"r{s}-{i}", event_at=first - timedelta(hours=1), unit_cost="1"))
            left = 10000
            for d in range(DAYS):
                at = first + timedelta(days=d)
                qty = int(rng.poisson(8 + 4 * (at.weekday() >= 5)))
                if d == out_day:  # the shelf ran empty after 3 sales: on hand at zero, the demand censored
                    moves.append(mv(s, i, "waste", f"-{left - 3}", f"w{s}-{i}-{d}", event_at=at - timedelta(hours=1),
                                    reason_code="expired"))  # fmt: skip
                    moves.append(mv(s, i, "sale", "-3", f"x{s}-{i}-{d}", event_at=at))
                    moves.append(mv(s, i, "receipt", "10000", f"y{s}-{i}-{d}", event_at=at + timedelta(hours=8),
                                    unit_cost="1"))  # fmt: skip
                    left = 10000
                elif qty:
                    moves.append(mv(s, i, "sale", f"-{qty}", f"s{s}-{i}-{d}", event_at=at))
                    left -= qty
    post(rt, t, *moves)  # type: ignore[arg-type]
    return first


def test_demand_history_from_the_ledger_marks_stockout_days(runtime: Runtime) -> None:
    t, sites, items = _world(runtime)
    first = _sell(runtime, t, sites, items)
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        rows = daily_sales(uow.session, uow.principal.scope("inventory.stock.read"), first.date(),
                           utcnow().date(), site_ids=[sites[1]], item_ids=[items[1]])  # fmt: skip
    out = [r for r in rows if r.stockout]
    assert len(out) == 1 and out[0].quantity == Decimal(3) and out[0].day.weekday() == 6
    assert all(r.quantity > 0 for r in rows)


def test_a_run_is_stored_and_read_through_the_api(runtime: Runtime, client: TestClient) -> None:
    t, sites, items = _world(runtime)
    _sell(runtime, t, sites, items)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    r = client.post("/api/v1/forecasting/promotions", headers=h, json={
        "item_id": items[0], "site_ids": [sites[0]], "name": "Milk week", "discount": "0.8", "display": "endcap",
        "start_day": str(utcnow().date() + timedelta(days=2)),
        "end_day": str(utcnow().date() + timedelta(days=4))})  # fmt: skip
    assert r.status_code == 201, r.text
    bad = client.post("/api/v1/forecasting/promotions", headers=h, json={
        "item_id": items[0], "site_ids": [999999], "name": "x", "discount": "0.8",
        "start_day": "2026-01-02", "end_day": "2026-01-01"})  # fmt: skip
    assert bad.status_code == 422
    weather = [{"site_id": sites[0], "day": str(utcnow().date() - timedelta(days=d)), "temperature": str(15 + d % 9),
                "precipitation": "0"} for d in range(-10, DAYS)]  # fmt: skip
    assert client.put("/api/v1/forecasting/weather", headers=h, json={"rows": weather}).json() == {"days": DAYS + 10}

    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        run = service.run_forecast(uow, service.RunOptions(horizon=7, origin=utcnow().date() - timedelta(days=1)))
        uow.commit()
        run_id, config = run.id, run.config
    assert run.series == 4 and config["model_version"].startswith("boh-forecast")
    assert {"dayofweek", "promo", "discount", "display", "temperature"} <= set(config["features"])
    assert config["quantiles"] == [10, 50, 80, 90, 95, 99] and config["horizon"] == 7
    # how the targets were built (the 14-day and the 2-day model's)
    assert config["target"] == {"recovery": "impute", "fill": "recent", "fill_weeks": 8, "short_recovery": "profile"}

    r = client.get(f"/api/v1/forecasting/series/{sites[0]}/{items[0]}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["run_id"] == run_id and len(body["forecast"]) == 7 and len(body["actual"]) == 56
    for f in body["forecast"]:
        q = [Decimal(f[k]) for k in ("q50", "q80", "q90", "q95", "q99")]
        assert q == sorted(q) and Decimal(f["mean"]) > 0
    assert client.get(f"/api/v1/forecasting/series/{sites[0]}/999999", headers=h).status_code == 404
    acc = client.get("/api/v1/forecasting/accuracy?by=site", headers=h).json()
    assert [a["key"] for a in acc] == ["S001", "S002"] and all(a["series"] == 2 for a in acc)
    with runtime.session_factory() as session:
        n = session.scalar(
            select(func.count()).select_from(models.SeriesMetric).where(models.SeriesMetric.run_id == run_id)
        )
    assert n == 4
    for page in ("/forecasting/", "/forecasting/accuracy", "/forecasting/promotions"):
        assert client.get(page, headers=h).status_code == 200, page
    # the pages name what they show: the series by item name, the accuracy table's categories by theirs, bias in %
    dairy = make_category(runtime, t, "DAIRY")  # type: ignore[arg-type]
    with runtime.system_uow(t.id) as uow:  # type: ignore[attr-defined]
        uow.session.execute(update(Item).where(Item.id == items[0]).values(category_id=dairy))
        uow.commit()
    home = client.get("/forecasting/", headers=h | {"Cookie": "boh_lang=en"}).text
    assert "S001 · Item MILK-1L" in home and "S002 · Item BREAD" in home
    acc_page = client.get("/forecasting/accuracy", headers=h | {"Cookie": "boh_lang=zh"}).text
    assert "类DAIRY" in acc_page  # the category's name in the reader's language, not only its code
    bias = [Decimal(a["bias"]) for a in client.get("/api/v1/forecasting/accuracy?by=category", headers=h).json()]
    for b in bias:  # shown as a signed percentage with one decimal
        assert f"{b * 100:+.1f}%" in acc_page


def test_history_import_lists_every_bad_row_and_imports_nothing(runtime: Runtime, client: TestClient) -> None:
    t, sites, _items = _world(runtime)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    mapping = json.dumps({"site": "store", "item": "sku", "date": "day", "quantity": "units", "stockout": "oos_h"})
    head = "store,sku,day,units,oos_h\n"
    bad = head + "S001,MILK-1L,2026-01-01,3,0\nS001,MILK-1L,2026-01-32,2,0\nS009,BREAD,2026-01-02,-1,30\n"
    r = client.post("/api/v1/forecasting/history/import", headers=h, data={"mapping": mapping},
                    files={"file": ("h.csv", bad.encode(), "text/csv")})  # fmt: skip
    assert r.status_code == 422, r.text
    # one pass: the unknown site code S009 is listed with the same row's bad values, rows in file order
    errs = [(e.get("row"), e.get("column"), e.get("code")) for e in r.json()["errors"]]
    assert errs == [(3, "day", "invalid"), (4, "oos_h", "invalid"), (4, "store", "not_found"),
                    (4, "units", "invalid")]  # fmt: skip
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(models.History)) == 0
    unknown = "store,sku,day,units,oos_h\nS001,MILK-1L,2026-01-01,3,0\nS777,BREAD,2026-01-02,1,0\n"
    r = client.post("/api/v1/forecasting/history/import", headers=h, data={"mapping": mapping},
                    files={"file": ("h.csv", unknown.encode(), "text/csv")})  # fmt: skip
    assert r.status_code == 422 and [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "store")]
    mixed = head + "S777,NOPE,2026-01-02,1,0\nS001,MILK-1L,2026-01-03,x,0\nS001,GONE,2026-01-04,1,0\n"
    r = client.post("/api/v1/forecasting/history/import", headers=h, data={"mapping": mapping},
                    files={"file": ("h.csv", mixed.encode(), "text/csv")})  # fmt: skip
    assert r.status_code == 422
    assert [(e["row"], e["column"], e["message"]) for e in r.json()["errors"]] == [
        (2, "sku", "unknown item SKU 'NOPE'"), (2, "store", "unknown site code 'S777'"),
        (3, "units", "must be a number at or above 0"), (4, "sku", "unknown item SKU 'GONE'")]  # fmt: skip
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(models.History)) == 0
    good = head + "S001,MILK-1L,2026-01-01,3,0\nS001,MILK-1L,2026-01-02,2,12\nS002,BREAD,2026-01-02,1,24\n"
    r = client.post("/api/v1/forecasting/history/import", headers=h, data={"mapping": mapping},
                    files={"file": ("h.csv", good.encode(), "text/csv")})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 3, "days": 3, "series": 2}
    with runtime.session_factory() as session:
        rows = {(x.site_id, x.day.day): x for x in session.scalars(select(models.History))}
    assert rows[(sites[0], 2)].demand == Decimal(4) and not rows[(sites[0], 2)].in_stock  # 2 sold in half a day
    assert rows[(sites[1], 2)].demand is None  # out of stock all day: censored, imputed at fit time


def test_a_run_with_no_sales_is_an_empty_run_not_an_error(runtime: Runtime, client: TestClient) -> None:
    t, _sites, _items = _world(runtime)
    make_user(runtime, t, "hqadmin", [("hq_admin", None)])  # type: ignore[arg-type]
    h = login(client, "hqadmin")
    r = client.post("/api/v1/forecasting/runs", headers=h, json={"horizon": 7})
    assert r.status_code == 202, r.text
    assert tasks.run_queued(runtime) == {"done": [r.json()["id"]], "failed": []}
    body = client.get(r.headers["location"], headers=h).json()
    assert (body["status"], body["series"]) == ("done", 0)

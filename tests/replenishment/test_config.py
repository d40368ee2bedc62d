"""Configuring replenishment: policies, sourcing rules, budgets and the approval settings through the API and
the settings page. Bad input names every field at once and writes nothing; another tenant's rule is a 404; a
store manager is refused; and the next run follows what was changed (a policy's service level and method, a
store switched to its DC)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.kernel.audit import AuditRecord
from boh.replenishment import models as m
from tests.factories import login, make_tenant, make_user
from tests.replenishment.helpers import World, make_world, run_day

API = "/api/v1/replenishment"


def _count(rt: Runtime, model: type) -> int:
    with rt.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _line(rt: Runtime, run_id: int, site: int, item: int) -> tuple[m.Line, dict]:  # type: ignore[type-arg]
    with rt.session_factory() as s:
        line = s.scalars(select(m.Line).where(m.Line.run_id == run_id, m.Line.site_id == site,
                                              m.Line.item_id == item)).one()  # fmt: skip
        return line, dict(s.get(m.Explanation, line.id).data)  # type: ignore[union-attr]


def _buyer(rt: Runtime, client: TestClient, w: World) -> dict[str, str]:
    make_user(rt, w.tenant, "buyer", [("buyer", None)])
    return login(client, "buyer")


def test_policy_errors_are_listed_at_once_and_nothing_is_written(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    bad = client.post(f"{API}/policies", headers=h, json={
        "name": " ", "site_id": 999999, "category_id": 999999, "item_class": "D", "method": "guess",
        "service_level": "0.9995", "review_days": 0, "tolerance_pct": "101"})  # fmt: skip
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {
        "name",
        "site_id",
        "category_id",
        "item_class",
        "method",
        "service_level",
        "review_days",
        "tolerance_pct",
    }
    fixed = client.post(f"{API}/policies", headers=h, json={"name": "fixed", "method": "fixed_qty",
                                                           "service_level": "0.4"})  # fmt: skip
    assert {e["loc"][-1] for e in fixed.json()["errors"]} == {"fixed_qty", "service_level"}
    assert _count(runtime, m.Policy) == 0


def test_sourcing_and_budget_errors_are_listed_at_once(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    rules = _count(runtime, m.Sourcing)
    bad = client.post(f"{API}/sourcing", headers=h, json={
        "site_id": w.s1, "item_id": 999999, "category_id": w.dairy, "source": "site", "supplier_id": w.supplier,
        "lead_time_days": -1, "order_days": ["mon", "someday"]})  # fmt: skip
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {
        "item_id",
        "category_id",
        "from_site_id",
        "supplier_id",
        "lead_time_days",
        "order_days",
    }
    own = client.post(f"{API}/sourcing", headers=h, json={"site_id": w.s1, "source": "site", "from_site_id": w.s1})
    assert [(e["loc"][-1], e["message"]) for e in own.json()["errors"]] == [
        ("from_site_id", "a site cannot order from itself")
    ]
    sup = client.post(f"{API}/sourcing", headers=h, json={"site_id": w.s1, "source": "supplier"})
    assert [e["loc"][-1] for e in sup.json()["errors"]] == ["supplier_id"]
    assert _count(runtime, m.Sourcing) == rules
    budget = client.post(f"{API}/budgets", headers=h, json={"site_id": 999999, "amount": "0", "currency": "yuan"})
    assert {e["loc"][-1] for e in budget.json()["errors"]} == {"site_id", "amount", "currency"}
    assert _count(runtime, m.Budget) == 0


def test_crud_is_audited_and_another_tenant_gets_404(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    p = client.post(f"{API}/policies", headers=h, json={"name": "A items", "item_class": "ax",
                                                       "service_level": "0.98"})  # fmt: skip
    assert p.status_code == 201, p.text
    pid = p.json()["id"]
    assert (p.json()["item_class"], p.json()["method"], p.json()["active"]) == ("AX", "order_up_to", True)
    patched = client.patch(f"{API}/policies/{pid}", headers=h, json={"service_level": "0.9"})
    assert (Decimal(patched.json()["service_level"]), patched.json()["name"]) == (Decimal("0.9"), "A items")
    b = client.post(f"{API}/budgets", headers=h, json={"site_id": w.s1, "amount": "500.00", "currency": "cny"})
    assert b.status_code == 201 and b.json()["currency"] == "CNY"
    dup = client.post(f"{API}/budgets", headers=h, json={"site_id": w.s1, "amount": "100", "currency": "CNY"})
    assert [e["code"] for e in dup.json()["errors"]] == ["duplicate"]

    other = make_tenant(runtime, code="OTHER")
    make_user(runtime, other, "spy", [("hq_admin", None)])
    spy = login(client, "spy")
    assert client.get(f"{API}/policies", headers=spy).json() == []
    assert client.get(f"{API}/budgets", headers=spy).json() == []
    assert client.patch(f"{API}/policies/{pid}", headers=spy, json={"service_level": "0.5"}).status_code == 404
    assert client.delete(f"{API}/policies/{pid}", headers=spy).status_code == 404
    assert client.delete(f"{API}/budgets/{b.json()['id']}", headers=spy).status_code == 404
    sid = client.get(f"{API}/sourcing", headers=h).json()[0]["id"]
    assert client.delete(f"{API}/sourcing/{sid}", headers=spy).status_code == 404

    gone = client.delete(f"{API}/policies/{pid}", headers=h)
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert client.get(f"{API}/policies", headers=h).json() == []
    assert [x["id"] for x in client.get(f"{API}/policies?include_inactive=true", headers=h).json()] == [pid]
    assert client.delete(f"{API}/budgets/{b.json()['id']}", headers=h).status_code == 204
    assert _count(runtime, m.Budget) == 0
    with runtime.session_factory() as s:
        rows = s.execute(select(AuditRecord.action, AuditRecord.before, AuditRecord.after)
                         .where(AuditRecord.entity_type.in_(["replenishment_policy", "replenishment_budget"]))
                         .order_by(AuditRecord.id)).all()  # fmt: skip
    assert [r.action for r in rows] == ["replenishment.policy.create", "replenishment.policy.update",
                                        "replenishment.budget.create", "replenishment.policy.deactivate",
                                        "replenishment.budget.delete"]  # fmt: skip
    update = rows[1]
    assert (
        Decimal(json.loads(update.before)["service_level"]),
        Decimal(json.loads(update.after)["service_level"]),
    ) == (Decimal("0.98"), Decimal("0.9"))
    assert Decimal(json.loads(rows[4].before)["amount"]) == Decimal(500)


def test_store_manager_is_refused_and_a_site_key_keeps_to_its_site(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)])
    mgr = login(client, "mgr")
    key = client.post(
        "/api/v1/org/api-keys",
        headers=login(client, "boss"),
        json={"name": "S001 rules", "site_id": w.s1, "permissions": ["replenishment.rules"]},
    )
    sb = {"X-API-Key": key.json()["key"]}  # replenishment.rules for site S001 only
    for method, url in (("GET", "/policies"), ("POST", "/policies"), ("GET", "/settings"), ("PUT", "/settings"),
                        ("POST", "/sourcing"), ("POST", "/budgets")):  # fmt: skip
        r = client.request(method, API + url, headers=mgr, json={})
        assert r.status_code == 403, (method, url, r.status_code)
    every = client.post(f"{API}/policies", headers=sb, json={"name": "all sites"})
    assert [e["code"] for e in every.json()["errors"]] == ["scope"]
    s2 = client.post(f"{API}/budgets", headers=sb, json={"site_id": w.s2, "amount": "10", "currency": "CNY"})
    assert [e["loc"][-1] for e in s2.json()["errors"]] == ["site_id"]
    mine = client.post(f"{API}/policies", headers=sb, json={"name": "S1", "site_id": w.s1})
    assert mine.status_code == 201
    assert client.put(f"{API}/settings", headers=sb, json={"level2_amount": "1", "level2_deviation_pct": "1",
                                                           "escalate_hours": 1}).status_code == 403  # fmt: skip
    tenant_rule = client.get(f"{API}/sourcing", headers=sb).json()  # the world's rule for every site (rice)
    assert len(tenant_rule) == 1
    assert client.delete(f"{API}/sourcing/{tenant_rule[0]['id']}", headers=sb).status_code == 403
    assert _count(runtime, m.Sourcing) == 1


def test_settings_get_and_put(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    got = client.get(f"{API}/settings", headers=h).json()
    assert (Decimal(got["level2_amount"]), Decimal(got["level2_deviation_pct"]), got["escalate_hours"],
            got["auto_enabled"]) == (Decimal(5000), Decimal(100), 24, True)  # fmt: skip
    assert _count(runtime, m.Settings) == 0  # reading writes nothing
    bad = client.put(f"{API}/settings", headers=h, json={"level2_amount": "-1", "level2_deviation_pct": "2000",
                                                         "escalate_hours": 0})  # fmt: skip
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {"level2_amount", "level2_deviation_pct", "escalate_hours"}
    ok = client.put(f"{API}/settings", headers=h, json={"level2_amount": "800", "level2_deviation_pct": "60",
                                                        "escalate_hours": 8})  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert (Decimal(ok.json()["level2_amount"]), ok.json()["escalate_hours"]) == (Decimal(800), 8)


def test_next_run_uses_the_changed_policy(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    pid = client.post(f"{API}/policies", headers=h, json={"name": "dairy", "category_id": w.dairy,
                                                         "service_level": "0.8"}).json()["id"]  # fmt: skip
    first, expl1 = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r1"), w.s1, w.milk)
    assert (expl1["policy_id"], Decimal(expl1["safety"]["service_level"])) == (pid, Decimal("0.8"))
    assert client.patch(f"{API}/policies/{pid}", headers=h, json={"service_level": "0.99"}).status_code == 200
    second, expl2 = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r2"), w.s1, w.milk)
    assert Decimal(expl2["safety"]["service_level"]) == Decimal("0.99")
    assert second.safety_stock > first.safety_stock
    assert client.patch(f"{API}/policies/{pid}", headers=h, json={"method": "fixed_qty", "fixed_qty": "48"}
                        ).status_code == 200  # fmt: skip
    third, expl3 = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r3"), w.s1, w.milk)
    assert (third.method, expl3["method"]) == ("fixed_qty", "fixed_qty")
    assert third.suggested_qty == Decimal(48)


def test_sourcing_rule_switches_a_store_to_its_dc(runtime: Runtime, client: TestClient) -> None:
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    before, _ = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r1"), w.s1, w.milk)
    assert (before.source, before.supplier_id, before.from_site_id) == ("supplier", w.supplier, None)
    r = client.post(f"{API}/sourcing", headers=h, json={"site_id": w.s1, "item_id": w.milk, "source": "site",
                                                       "from_site_id": w.dc, "lead_time_days": 1})  # fmt: skip
    assert r.status_code == 201, r.text
    after, expl = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r2"), w.s1, w.milk)
    assert (after.source, after.supplier_id, after.from_site_id, expl["source"]) == ("site", None, w.dc, "site")
    # back to the supplier by changing the rule
    client.patch(f"{API}/sourcing/{r.json()['id']}", headers=h, json={"source": "supplier", "from_site_id": None,
                                                                     "supplier_id": w.supplier})  # fmt: skip
    back, _ = _line(runtime, run_day(runtime, w, sites=[w.s1], key="r3"), w.s1, w.milk)
    assert (back.source, back.supplier_id) == ("supplier", w.supplier)


# --- the settings page ---------------------------------------------------------------------------------------


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=headers).text)
    assert found, url
    return found.group(1)


def test_settings_page_in_both_languages_adds_and_edits(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    w = make_world(runtime)
    h = _buyer(runtime, client, w)
    for lang, words in (("en", ("Replenishment settings", "Policies", "Sourcing", "Budgets", "Approvals")),
                        ("zh_CN", ("补货设置", "补货策略", "货源", "预算", "审批"))):  # fmt: skip
        client.cookies.set("boh_lang", lang)
        page = client.get("/replenishment/settings", headers=h)
        assert page.status_code == 200
        assert all(word in page.text for word in words), lang
        assert "DC01" in page.text and "RICE" in page.text  # the world's rule: stores get rice from the DC
    client.cookies.set("boh_lang", "en")
    assert 'href="/replenishment/settings"' in client.get("/replenishment/rules", headers=h).text
    assert 'href="/replenishment/settings"' in client.get("/replenishment/", headers=h).text
    token = _csrf(client, "/replenishment/settings", h)
    bad = client.post("/replenishment/settings/policies", headers=h, follow_redirects=False,
                      data={"csrf_token": token, "name": "x", "method": "fixed_qty", "service_level": "abc",
                            "tolerance_pct": "20"})  # fmt: skip
    assert bad.status_code == 303
    assert _count(runtime, m.Policy) == 0
    shown = client.get("/replenishment/settings", headers=h).text
    assert "Not saved. Check: Fixed quantity, Service level" in shown
    ok = client.post("/replenishment/settings/policies", headers=h, follow_redirects=False,
                     data={"csrf_token": token, "name": "Fresh A", "site_id": str(w.s1), "item_class": "A",
                           "method": "order_up_to", "service_level": "0.97", "tolerance_pct": "15",
                           "shelf_life_cap": "1"})  # fmt: skip
    assert ok.status_code == 303
    with runtime.session_factory() as s:
        p = s.scalars(select(m.Policy)).one()
    assert (p.site_id, p.item_class, p.service_level, p.tolerance_pct) == (w.s1, "A", Decimal("0.97"), Decimal(15))
    edit = client.get(f"/replenishment/settings?edit=policy:{p.id}", headers=h).text
    assert 'data-testid="edit-policy"' in edit and f'action="/replenishment/settings/policies/{p.id}"' in edit
    assert 'value="Fresh A"' in edit
    client.post(f"/replenishment/settings/policies/{p.id}", headers=h,
                data={"csrf_token": token, "name": "Fresh A", "site_id": str(w.s1), "item_class": "A",
                      "method": "min_max", "service_level": "0.9", "tolerance_pct": "15"})  # fmt: skip
    src = client.post("/replenishment/settings/sourcing", headers=h, follow_redirects=False,
                      data={"csrf_token": token, "site_id": str(w.s2), "sku": "MILK", "source": "site",
                            "from_site_id": str(w.dc), "supplier_id": str(w.supplier), "day_mon": "1",
                            "day_thu": "1"})  # fmt: skip
    assert src.status_code == 303
    client.post(
        "/replenishment/settings/budgets",
        headers=h,
        data={"csrf_token": token, "site_id": str(w.s1), "amount": "1200", "currency": "CNY"},
    )
    with runtime.session_factory() as s:
        p = s.get(m.Policy, p.id)
        rule = s.scalars(select(m.Sourcing).where(m.Sourcing.item_id == w.milk)).one()
        budget = s.scalars(select(m.Budget)).one()
    assert (p.method, p.service_level, p.shelf_life_cap) == ("min_max", Decimal("0.9"), False)
    assert (rule.site_id, rule.source, rule.from_site_id, rule.supplier_id, rule.order_days) == (
        w.s2,
        "site",
        w.dc,
        None,
        ["mon", "thu"],
    )
    assert (budget.site_id, budget.amount) == (w.s1, Decimal(1200))
    client.cookies.set("boh_lang", "zh_CN")
    zh = client.get("/replenishment/settings", headers=h).text
    assert "最小/最大" in zh and "周一" in zh

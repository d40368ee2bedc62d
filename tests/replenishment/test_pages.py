"""The replenishment pages: the phone review shows each line with its explanation in words (en and zh-CN), a
change beyond tolerance lands in the approval inbox, an approver decides it; the rules page sets the kill
switch. The explanation renderer in both languages."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from boh.bootstrap import Runtime
from boh.http.i18n import translations
from boh.replenishment import models as m
from boh.replenishment.pages import explain
from tests.factories import login, make_site, make_user
from tests.replenishment.helpers import make_world, run_day


def _csrf(client: TestClient, url: str, headers: dict[str, str]) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url, headers=headers).text)
    assert found, url
    return found.group(1)


def test_explanation_in_words_in_both_languages(runtime: Runtime) -> None:
    w = make_world(runtime)
    run_id = run_day(runtime, w)
    with runtime.session_factory() as s:
        line = s.scalars(select(m.Line).where(m.Line.run_id == run_id, m.Line.site_id == w.s1,
                                              m.Line.item_id == w.milk)).one()  # fmt: skip
        data = s.get(m.Explanation, line.id).data
    en = explain.render(data, translations("en").gettext)
    assert en[0] == "Lead time 2 days (supplier's nominal) + review period 1 days = 3 days of cover"
    assert en[1] == "Forecast over the cover period (2026-03-02 to 2026-03-04): 30 (10 a day)"
    assert en[3] == ("Stock position 5 = on hand 5 + on order 0 + in transit 0 − reserved 0 − expiring before "
                     "arrival 0")  # fmt: skip
    assert en[4] == "Order-up-to level 32.849 (forecast + safety stock) − position 5 = need 27.849"
    assert en[5] == ("Rounded up to a case of 12 (rounding down would run out before the next delivery): "
                     "27.849 → 36")  # fmt: skip
    assert en[-1] == "Suggested 36, bound by: case rounding"
    zh = explain.render(data, translations("zh_CN").gettext)
    assert zh[-1] == "建议 36，受限于：整箱取整"
    assert zh[4] == "目标库存 32.849（预测 + 安全库存）− 库存状况 5 = 需求 27.849"


def test_review_change_goes_to_inbox_and_is_approved(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    w = make_world(runtime)
    run_day(runtime, w)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    make_user(runtime, w.tenant, "rmgr", [("regional_manager", None)])
    mgr = login(client, "mgr")
    for lang, word in (("en", "Why this quantity?"), ("zh_CN", "为什么是这个数量？")):
        client.cookies.set("boh_lang", lang)
        page = client.get(f"/replenishment/?site_id={w.s1}", headers=mgr)
        assert page.status_code == 200 and word in page.text
    client.cookies.set("boh_lang", "en")
    page = client.get(f"/replenishment/?site_id={w.s1}", headers=mgr).text
    assert "Rounded up to a case of 12" in page
    with runtime.session_factory() as s:
        milk = s.scalars(select(m.Line).where(m.Line.site_id == w.s1, m.Line.item_id == w.milk)).one()
    token = _csrf(client, f"/replenishment/?site_id={w.s1}", mgr)
    r = client.post(f"/replenishment/lines/{milk.id}/change", headers=mgr, follow_redirects=False,
                    data={"csrf_token": token, "site_id": str(w.s1), "qty": "54",
                          "reason_code": "promotion"})  # fmt: skip
    assert r.status_code == 303
    assert client.get("/replenishment/approvals", headers=mgr).status_code == 403  # a store manager cannot approve
    rm = login(client, "rmgr")
    inbox = client.get("/replenishment/approvals", headers=rm).text
    assert 'data-sku="MILK"' in inbox and "50 % from the suggestion" in inbox
    token = _csrf(client, "/replenishment/approvals", rm)
    r = client.post(f"/replenishment/approvals/{milk.id}", headers=rm, follow_redirects=False,
                    data={"csrf_token": token, "decision": "approve"})  # fmt: skip
    assert r.status_code == 303
    with runtime.session_factory() as s:
        line = s.get(m.Line, milk.id)
        assert (line.status, line.qty) == ("approved", 54)
    assert "Nothing waits for your approval." in client.get("/replenishment/approvals", headers=rm).text
    mgr = login(client, "mgr")
    token = _csrf(client, f"/replenishment/?site_id={w.s1}", mgr)
    r = client.post("/replenishment/release", headers=mgr, follow_redirects=False,
                    data={"csrf_token": token, "site_id": str(w.s1)})  # fmt: skip
    assert r.status_code == 303
    from boh.purchasing import models as po

    with runtime.session_factory() as s:
        assert s.get(m.Line, milk.id).status == "ordered"
        order_line = s.scalars(select(po.OrderLine)).one()  # bread is still proposed: not ordered
        assert (order_line.item_id, order_line.origin_id) == (w.milk, str(milk.id))


def test_store_manager_sees_only_own_site(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    w = make_world(runtime)
    run_day(runtime, w)
    make_user(runtime, w.tenant, "mgr", [("store_manager", "S001")])
    mgr = login(client, "mgr")
    with runtime.session_factory() as s:
        other = s.scalars(select(m.Line).where(m.Line.site_id == w.s2, m.Line.item_id == w.milk)).one()
    page = client.get(f"/replenishment/?site_id={w.s2}", headers=mgr).text
    assert f'id="line-{other.id}"' not in page
    token = _csrf(client, "/replenishment/", mgr)
    client.post(f"/replenishment/lines/{other.id}/change", headers=mgr,
                data={"csrf_token": token, "site_id": str(w.s2), "qty": "1", "reason_code": "other"})  # fmt: skip
    with runtime.session_factory() as s:
        assert s.get(m.Line, other.id).qty == other.qty
        assert s.scalar(select(m.Change.id)) is None


def test_rules_page_kill_switch_and_rule(runtime: Runtime, app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=True)
    w = make_world(runtime)
    make_user(runtime, w.tenant, "buyer", [("buyer", None)])
    buyer = login(client, "buyer")
    for lang, word in (("en", "Automatic ordering"), ("zh_CN", "自动订货")):
        client.cookies.set("boh_lang", lang)
        assert word in client.get("/replenishment/rules", headers=buyer).text
    client.cookies.set("boh_lang", "en")
    token = _csrf(client, "/replenishment/rules", buyer)
    client.post("/replenishment/rules", headers=buyer, data={"csrf_token": token, "site_id": str(w.s1),
                                                             "budget": "500", "dry_run": "1"})  # fmt: skip
    client.post("/replenishment/kill-switch", headers=buyer, data={"csrf_token": token, "auto_enabled": "0"})
    page = client.get("/replenishment/rules", headers=buyer).text
    assert "stopped for the whole company" in page and 'data-testid="rule"' in page
    with runtime.session_factory() as s:
        assert s.get(m.Settings, w.tenant.id).auto_enabled is False
        assert [(r.site_id, r.budget, r.dry_run) for r in s.scalars(select(m.AutoRule))] == [(w.s1, 500, True)]


def test_the_page_opens_on_the_first_site_with_lines_and_counts_them(runtime: Runtime, app: FastAPI) -> None:
    """Without a site asked for, the suggestions page shows the first site that has lines to review (a site
    with nothing to order, first in code order, is skipped) and the picker says how many lines each site has."""
    client = TestClient(app, raise_server_exceptions=True)
    w = make_world(runtime)
    empty = make_site(runtime, w.tenant, "A000")  # no assortment: no lines
    run_day(runtime, w)
    make_user(runtime, w.tenant, "hqboss", [("hq_admin", None)])
    hq = login(client, "hqboss")
    with runtime.session_factory() as s:
        counts = dict(s.execute(select(m.Line.site_id, func.count()).group_by(m.Line.site_id)).all())
    assert empty not in counts and counts
    page = client.get("/replenishment/", headers=hq).text
    selected = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', page)
    assert selected is not None
    site = int(selected.group(1))
    assert site != empty and counts.get(site)
    assert selected.group(2).endswith(f"({counts[site]})")
    assert f'<option value="{empty}">A000' in page and f'value="{empty}">A000 · Site A000 (' not in page

"""Replenishment on the home page and its events: a finished run publishes SuggestionRunCompleted and tells
each store's managers in-app how many lines wait for their review; a change beyond tolerance publishes
SuggestionsAwaitingApproval and tells the approvers; the home page shows each reader their part (lines to
review, lines waiting for my approval, escalations, automatic orders of the last 24 hours, the kill switch)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel.clock import clock
from boh.kernel.outbox import OutboxRecord
from boh.notify.models import Notification
from boh.replenishment import models as m
from boh.replenishment.service import auto, review
from tests.factories import make_user
from tests.inventory.factories import mv, post
from tests.replenishment.helpers import World, make_world, run_day
from tests.web.helpers import page_login

D = Decimal
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return make_world(runtime)


def _topics(rt: Runtime) -> list[str]:
    with rt.session_factory() as s:
        return list(s.scalars(select(OutboxRecord.topic).order_by(OutboxRecord.id)))


def _told(rt: Runtime, kind: str) -> list[tuple[int, dict]]:  # type: ignore[type-arg]
    with rt.session_factory() as s:
        rows = s.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))
        return [(n.user_id, n.params) for n in rows]


def _home(client: TestClient, user: str) -> str:
    client.cookies.clear()
    page_login(client, user)
    client.cookies.set("boh_lang", "en")
    r = client.get("/")
    assert r.status_code == 200
    return r.text


def _todo(html: str, testid: str) -> int | None:
    found = re.search(rf'data-testid="todo-{testid}".*?<span class="count">([\d,]+)</span>', html, re.S)
    return int(found.group(1).replace(",", "")) if found else None


def test_a_finished_run_is_published_and_reviewers_are_told_in_app(runtime: Runtime, world: World) -> None:
    sm1 = make_user(runtime, world.tenant, "sm.one", [("store_manager", "S001")])
    sm2 = make_user(runtime, world.tenant, "sm.two", [("store_manager", "S002")])
    run_id = run_day(runtime, world)
    assert "replenishment.suggestion_run_completed" in _topics(runtime)
    with runtime.session_factory() as s:
        per_site = {site: len(list(s.scalars(select(m.Line.id).where(m.Line.run_id == run_id, m.Line.site_id == site))))
                    for site in (world.s1, world.s2)}  # fmt: skip
    told = dict(_told(runtime, "replenishment_review"))
    assert told[sm1]["n"] == per_site[world.s1] and told[sm2]["n"] == per_site[world.s2]
    run_day(runtime, world)  # the same run again (same key): nobody is told twice
    assert len(_told(runtime, "replenishment_review")) == 2


def test_a_change_beyond_tolerance_publishes_and_tells_the_approvers(runtime: Runtime, world: World) -> None:
    rm = make_user(runtime, world.tenant, "reg.manager", [("regional_manager", None)])
    run_id = run_day(runtime, world)
    with runtime.session_factory() as s:
        milk = s.scalars(select(m.Line).where(m.Line.run_id == run_id, m.Line.site_id == world.s1,
                                              m.Line.item_id == world.milk)).one()  # fmt: skip
    with runtime.system_uow(world.tenant.id) as uow:
        review.change_qty(uow, line_id=milk.id, qty=D(40), reason_code="local_knowledge")  # within tolerance
        uow.commit()
    assert "replenishment.suggestions_awaiting_approval" not in _topics(runtime)
    with runtime.system_uow(world.tenant.id) as uow:
        review.change_qty(uow, line_id=milk.id, qty=D(60), reason_code="promotion")
        uow.commit()
    assert _topics(runtime).count("replenishment.suggestions_awaiting_approval") == 1
    assert [u for u, _p in _told(runtime, "replenishment_approval")] == [rm]


def test_the_home_page_shows_each_reader_their_replenishment_part(
    runtime: Runtime, world: World, client: TestClient
) -> None:
    make_user(runtime, world.tenant, "sm.one", [("store_manager", "S001")])
    make_user(runtime, world.tenant, "reg.manager", [("regional_manager", None)])
    make_user(runtime, world.tenant, "buyer", [("buyer", None)])
    first = datetime(2026, 2, 1, 12, tzinfo=UTC)  # bread sells 6 a day: automatic ordering may place it
    moves = [mv(world.s1, world.bread, "receipt", "170", "b-rcv", unit_cost=D(3), event_at=first)]
    moves += [mv(world.s1, world.bread, "sale", "-6", f"b-sale-{i}", event_at=datetime(2026, 2, 2, 12, tzinfo=UTC)
                 + timedelta(days=i)) for i in range(28)]  # fmt: skip
    post(runtime, world.tenant, *moves)
    with clock.frozen(T0):
        run_id = run_day(runtime, world)
        with runtime.session_factory() as s:
            lines = {(ln.site_id, ln.item_id): ln for ln in s.scalars(select(m.Line).where(m.Line.run_id == run_id))}
            to_review = sum(1 for (site, _i) in lines if site == world.s1)
        home = _home(client, "sm.one")
        assert _todo(home, "repl-review") == to_review
        assert 'data-testid="figure-repl-kill-switch"' not in home  # HQ only
        with runtime.system_uow(world.tenant.id) as uow:
            review.change_qty(uow, line_id=lines[(world.s1, world.milk)].id, qty=D(60), reason_code="promotion")
            rule = m.AutoRule(
                tenant_id=world.tenant.id,
                site_id=world.s1,
                budget=D(100),
                deviation_pct=D(20),
                price_band_pct=D(10),
                dry_run=False,
                active=True,
            )
            uow.session.add(rule)
            uow.commit()
        with runtime.system_uow(world.tenant.id) as uow:
            assert auto.apply_rules(uow, run_id=run_id).placed == 1  # bread, 8 x 3.00
            uow.commit()
        # milk changed (waits for approval), bread ordered automatically: nothing left to review at S001
        assert to_review == 2 and _todo(_home(client, "sm.one"), "repl-review") is None
        rm_home = _home(client, "reg.manager")
        assert _todo(rm_home, "repl-approvals") == 1 and _todo(rm_home, "repl-escalated") is None
        buyer = _home(client, "buyer")
        assert _todo(buyer, "repl-approvals") == 1  # a buyer approves both levels
        auto_fig = re.search(r'data-testid="figure-repl-auto-placed".*?class="value">(\d+)<.*?class="note">([^<]+)<',
                             buyer, re.S)  # fmt: skip
        assert auto_fig and auto_fig.group(1) == "1" and "24.00" in auto_fig.group(2)
        assert re.search(r'data-testid="figure-repl-kill-switch".*?class="value">On<', buyer, re.S)
        with runtime.system_uow(world.tenant.id) as uow:
            auto.set_enabled(uow, False)
            uow.commit()
        clock.advance(timedelta(hours=25))  # nobody decided: escalated; the automatic order is older than 24 h
        from boh.replenishment import tasks

        assert tasks.escalate(runtime) == 1
        buyer = _home(client, "buyer")
        assert _todo(buyer, "repl-escalated") == 1
        assert re.search(r'data-testid="figure-repl-kill-switch".*?class="value">Stopped \(kill switch\)<', buyer,
                         re.S)  # fmt: skip
        assert 'data-testid="figure-repl-auto-placed"' not in buyer

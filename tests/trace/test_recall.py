"""Recalls: from a supplier lot, every lot made from it and every site with stock on hand, sold or in transit
is found; the lots are blocked at once (a mock recall blocks nothing); the affected stores are told; each
store's confirmation is recorded; the report lists it all."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory import api as inventory
from boh.inventory.models import Lot
from boh.kernel.errors import ValidationFailed
from boh.kernel.tenancy import Scope
from boh.notify.models import Notification
from boh.trace import recall
from boh.trace.errors import RecallClosed
from tests.factories import make_user
from tests.trace.chain import Story, make_story


def start(rt: Runtime, s: Story, mock: bool = False) -> int:
    with rt.system_uow(s.c.tenant.id) as uow:
        r = recall.start(uow, recall.Origin(lot_ids=(s.tomato[1],)), reason="Listeria in tomato lot", mock=mock)
        uow.commit()
        return r.id


def held(rt: Runtime, s: Story) -> set[int]:
    with rt.session_factory() as sess:
        return set(sess.scalars(select(Lot.id).where(Lot.tenant_id == s.c.tenant.id, Lot.on_hold.is_(True))))


def test_a_recall_finds_blocks_tells_and_records_confirmations(runtime: Runtime) -> None:
    s = make_story(runtime)
    for code in ("S001", "S002"):
        make_user(runtime, s.c.tenant, f"mgr{code.lower()}", roles=[("store_manager", code)])
    rid = start(runtime, s)
    reached = {s.tomato[1], s.sauce, s.other_sauce, s.ragu, s.lasagna, s.meal}
    assert held(runtime, s) == reached  # not TOM-A, the onion or the beef
    with runtime.session_factory() as sess:
        v = recall.get(sess, Scope(s.c.tenant.id), rid)
        told = list(sess.scalars(select(Notification.link).where(Notification.tenant_id == s.c.tenant.id)))
    assert {lot.lot_id for lot in v.lots} == reached
    meal = {ln.site_id: ln for ln in v.lines if ln.lot_id == s.meal}
    assert (meal[s.c.stores[0]].on_hand, meal[s.c.stores[0]].sold) == (D(3), D(5))
    assert (meal[s.c.stores[1]].on_hand, meal[s.c.stores[1]].in_transit) == (D(5), D(3))
    assert set(v.told_sites) >= set(s.c.stores) and told == [f"/trace/recalls/{rid}"] * 2
    assert v.confirmed_sites == []
    # the recalled meal is no longer sellable at the store
    with pytest.raises(ValidationFailed), runtime.system_uow(s.c.tenant.id) as uow:
        inventory.post_document(uow, [inventory.PostingLine(
            index=0, site_id=s.c.stores[0], item_id=s.c.items["MEAL"], lot_id=s.meal, move_type="sale",
            quantity=D(-1), idempotency_key="late-sale")])  # fmt: skip
    with runtime.system_uow(s.c.tenant.id) as uow:
        recall.confirm(uow, rid, s.c.stores[0], removed=D(3), note="binned")
        uow.commit()
    with runtime.session_factory() as sess:
        v = recall.get(sess, Scope(s.c.tenant.id), rid)
    assert s.c.stores[0] in v.confirmed_sites and s.c.stores[1] not in v.confirmed_sites
    csv = recall.report_csv(v)
    assert csv.splitlines()[0].startswith("recall,mock,site") and "MEA-1" in csv and "binned" in csv
    with runtime.system_uow(s.c.tenant.id) as uow:
        recall.close(uow, rid, note="done")
        uow.commit()
    with pytest.raises(RecallClosed), runtime.system_uow(s.c.tenant.id) as uow:
        recall.confirm(uow, rid, s.c.stores[1])


def test_a_mock_recall_runs_the_same_flow_without_blocking(runtime: Runtime) -> None:
    s = make_story(runtime)
    rid = start(runtime, s, mock=True)
    assert held(runtime, s) == set()
    with runtime.session_factory() as sess:
        v = recall.get(sess, Scope(s.c.tenant.id), rid)
    assert v.mock and v.number.startswith("MR-") and len(v.lots) == 6 and v.summary["lots"] == 6


def test_a_store_sees_and_confirms_only_its_own_lines(runtime: Runtime) -> None:
    s = make_story(runtime)
    rid = start(runtime, s)
    with runtime.session_factory() as sess:
        mine = recall.get(sess, Scope(s.c.tenant.id, frozenset({s.c.stores[1]})), rid)
    assert {ln.site_id for ln in mine.lines} == {s.c.stores[1]}

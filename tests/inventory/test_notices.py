"""A suspected shrink tells the store's managers once, in their language, with a link to the alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.ingest.events import ShrinkSuspected
from boh.inventory.notices import tell_shrink
from boh.notify.api import text
from boh.notify.models import Notification
from tests.catalog.helpers import make_item
from tests.factories import make_site, make_tenant, make_user


def test_a_shrink_tells_the_managers_of_the_store_once(runtime: Runtime) -> None:
    t = make_tenant(runtime)
    s1, _s2 = make_site(runtime, t, "S1"), make_site(runtime, t, "S2")
    item = make_item(runtime, t, "TEA")
    manager = make_user(runtime, t, "sm.one", [("store_manager", "S1")])
    make_user(runtime, t, "sm.two", [("store_manager", "S2")])
    event = ShrinkSuspected(
        tenant_id=t.id, alert_id=7, site_id=s1, item_id=item, epc="30", occurred_at=datetime.now(UTC)
    )
    for _ in range(2):  # delivered twice: told once
        with runtime.system_uow(t.id) as uow:
            tell_shrink(uow, event)
            uow.commit()
    with runtime.session_factory() as s:
        told = s.scalars(select(Notification)).all()
    assert [n.user_id for n in told] == [manager] and told[0].link == f"/inventory/alerts?site_id={s1}"
    assert text(told[0].message, told[0].params, "zh_CN") == "TEA 商品TEA 在 S1 门店S1 未结账即从出口离开"
    assert (
        text(told[0].message, told[0].params, "en") == "TEA Item TEA left S1 Store S1 through the exit without a sale"
    )

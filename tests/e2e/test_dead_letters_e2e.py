"""The rejected readings page in a real browser (phone and desktop, English and Chinese): a reading of a
sensor registered late is replayed with one tap and stored once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from boh.coldchain import service
from boh.coldchain.models import Reading
from boh.coldchain.schemas import SensorCreate
from tests.coldchain.helpers import ingest, make_world, readings
from tests.e2e.helpers import body_overflows, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("size", "locale"), [((390, 844), "zh_CN"), ((1366, 900), "en")], ids=["phone-zh", "desktop-en"]
)
def test_replay_a_rejected_reading(runtime, page, shot, size, locale) -> None:  # type: ignore[no-untyped-def]
    w = make_world(runtime)
    ingest(runtime, w.tenant, readings([3.0, 3.5, 4.0], sensor="T-F1B"))
    with runtime.system_uow(w.tenant.id) as uow:
        service.add_sensor(uow, w.fridge, SensorCreate(code="T-F1B", kind="temperature"))
        uow.commit()
    make_user(runtime, w.tenant, "boss", [("hq_admin", None)], locale=locale)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "boss", path="/coldchain/dead-letters")
    expect(page.locator("[data-testid=dead-letter]")).to_have_count(3)
    assert not body_overflows(page)
    shot(page, f"dead-letters-{locale}-{size[0]}")
    page.locator("[data-testid=replay]").first.click()
    expect(page.locator("[data-testid=dead-letter]")).to_have_count(2)
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Reading)) == 1

"""Notifications: recipients by role and site, dedupe, in-app list and badge, mark read, and e-mail through
a real SMTP server on loopback (aiosmtpd), sent after the commit through the outbox, in each recipient's
language."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.kernel import outbox
from boh.kernel.outbox import EventBus
from boh.notify.api import notify, subscribe
from boh.notify.handlers import subscribe as subscribe_emails
from boh.notify.models import Notification
from boh.settings import Settings, SmtpSettings
from tests.factories import make_region, make_site, make_tenant, make_user
from tests.smtp_server import Inbox, smtp_server
from tests.web.helpers import page_login, post_form

MSG = "Delivery %(number)s at %(site)s: %(n)s line(s) differ from the order"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def _world(rt: Runtime) -> dict[str, Any]:
    t = make_tenant(rt)
    make_region(rt, t, "EAST")
    s1 = make_site(rt, t, "S1", region_code="EAST")
    s2 = make_site(rt, t, "S2")
    return {
        "t": t, "s1": s1, "s2": s2,
        "buyer": make_user(rt, t, "buyer.zh", [("buyer", None)], email="buyer@example.com", locale="zh_CN"),
        "buyer_en": make_user(rt, t, "buyer.en", [("buyer", None)], email="en@example.com", locale="en"),
        "sm1": make_user(rt, t, "sm.one", [("store_manager", "S1")], email="sm1@example.com"),
        "sm2": make_user(rt, t, "sm.two", [("store_manager", "S2")]),
    }  # fmt: skip


def _tell(rt: Runtime, w: dict[str, Any], roles: list[str], site: int, key: str | None = None) -> list[int]:
    with rt.system_uow(w["t"].id) as uow:
        ids = notify(
            uow, kind="receipt_discrepancy", message=MSG, roles=roles, site_id=site, dedupe_key=key, link="/x/1",
            params={"number": "RC-1", "site": {"en": "Store S1", "zh": "门店S1"}, "n": 2},
        )  # fmt: skip
        uow.commit()
    return ids


def _recipients(rt: Runtime) -> list[int]:
    with rt.session_factory() as s:
        return sorted(s.scalars(select(Notification.user_id)))


def test_roles_reach_the_holders_covering_the_site_once_per_dedupe_key(runtime: Runtime) -> None:
    w = _world(runtime)
    assert len(_tell(runtime, w, ["buyer", "store_manager"], w["s1"], key="receipt:1")) == 3
    assert _recipients(runtime) == sorted([w["buyer"], w["buyer_en"], w["sm1"]])  # not the S2 manager
    assert _tell(runtime, w, ["buyer", "store_manager"], w["s1"], key="receipt:1") == []  # told already
    assert len(_recipients(runtime)) == 3


def _relay(rt: Runtime, smtp_settings: SmtpSettings) -> int:
    bus = EventBus()
    subscribe_emails(bus, Settings(smtp=smtp_settings, public_url="http://boh.test"))
    return outbox.relay_once(rt.session_factory, rt.system_uow, bus)


def test_subscribers_get_an_email_in_their_language_after_the_commit(runtime: Runtime, smtp: Any) -> None:
    inbox, port = smtp
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        subscribe(uow, kind="receipt_discrepancy", role="buyer")
        subscribe(uow, kind="*", user_id=w["sm1"])
        uow.commit()
    with runtime.system_uow(w["t"].id) as uow:  # rolled back: nothing is sent
        notify(
            uow, kind="receipt_discrepancy", message=MSG, roles=["buyer"], params={"number": "X", "site": "", "n": 1}
        )
    server = SmtpSettings(host="127.0.0.1", port=port, starttls=False, from_address="boh@example.com")
    _relay(runtime, server)  # the events of the set-up
    assert inbox.messages == []

    _tell(runtime, w, ["buyer", "store_manager"], w["s1"])
    assert _relay(runtime, server) == 1
    by_to = {m["To"]: m for m in inbox.messages}
    assert sorted(by_to) == ["buyer@example.com", "en@example.com", "sm1@example.com"]
    zh = by_to["buyer@example.com"]
    assert (
        "门店S1" in zh.get_payload(decode=True).decode()
        and "http://boh.test/x/1" in zh.get_payload(decode=True).decode()
    )
    assert "Store S1" in by_to["en@example.com"].get_payload(decode=True).decode()
    assert str(make_header(decode_header(by_to["en@example.com"]["Subject"]))).startswith(
        "[BOH] Delivery discrepancies"
    )
    with runtime.session_factory() as s:
        assert set(s.scalars(select(Notification.email_status))) == {"sent"}
    assert _relay(runtime, server) == 0 and len(inbox.messages) == 3  # nothing sent twice


def test_an_unreachable_server_is_retried_and_nothing_is_lost(runtime: Runtime, smtp: Any) -> None:
    inbox, port = smtp
    w = _world(runtime)
    with runtime.system_uow(w["t"].id) as uow:
        subscribe(uow, kind="receipt_discrepancy", role="buyer")
        uow.commit()
    dead = SmtpSettings(host="127.0.0.1", port=1, starttls=False, timeout_seconds=2)
    _relay(runtime, dead)  # the events of the set-up
    _tell(runtime, w, ["buyer"], w["s1"])
    assert _relay(runtime, dead) == 0
    with runtime.session_factory() as s:
        assert set(s.scalars(select(Notification.email_status))) == {"pending"}
        rec = s.scalars(select(outbox.OutboxRecord).where(outbox.OutboxRecord.status == "pending")).one()
        assert rec.attempts == 1
        rec.available_at = rec.created_at  # due again now
        s.commit()
    assert _relay(runtime, dead.model_copy(update={"port": port, "timeout_seconds": 15})) == 1
    assert len(inbox.messages) == 2


def test_the_console_shows_the_unread_count_the_list_and_marks_read(runtime: Runtime, client: Any) -> None:
    w = _world(runtime)
    _tell(runtime, w, ["store_manager"], w["s1"])
    _tell(runtime, w, ["store_manager"], w["s1"])
    page_login(client, "sm.one")
    client.cookies.set("boh_lang", "zh_CN")
    badge = client.get("/notifications/badge")
    assert badge.status_code == 200 and ">2</span>" in badge.text
    page = client.get("/notifications")
    assert page.text.count('data-testid="notification"') == 2 and "门店S1" in page.text and "收货差异" in page.text
    with runtime.session_factory() as s:
        first = s.scalars(select(Notification.id).order_by(Notification.id)).first()
    r = post_form(client, "/notifications/read", {"id": str(first), "next": "/x/1"})
    assert r.status_code == 303 and r.headers["location"] == "/x/1"
    assert ">1</span>" in client.get("/notifications/badge").text
    post_form(client, "/notifications/read", {"all": "1"})
    assert "unread-count" not in client.get("/notifications/badge").text


def test_another_user_cannot_mark_my_notification(runtime: Runtime, client: Any) -> None:
    w = _world(runtime)
    _tell(runtime, w, ["store_manager"], w["s1"])
    with runtime.session_factory() as s:
        nid = s.scalars(select(Notification.id)).one()
    page_login(client, "sm.two")
    r = post_form(client, "/notifications/read", {"id": str(nid)})
    assert r.status_code == 404
    with runtime.session_factory() as s:
        assert s.scalars(select(Notification.read_at)).one() is None

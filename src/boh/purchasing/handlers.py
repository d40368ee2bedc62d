"""Reactions of purchasing to its own facts, after the commit that made them: a purchase order sent to its
supplier is e-mailed to it once (``mail.send_on_confirm``)."""

from __future__ import annotations

from boh.kernel.events import Event
from boh.kernel.outbox import EventBus
from boh.kernel.uow import UnitOfWork
from boh.purchasing import mail
from boh.purchasing.events import OrderConfirmed


def email_sent_order(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, OrderConfirmed)
    if event.kind == "purchase":
        mail.send_on_confirm(uow, event.order_id)


def subscribe(bus: EventBus) -> None:
    bus.subscribe(OrderConfirmed.topic, email_sent_order, name="boh.purchasing.handlers.email_sent_order")

"""E-mailing a purchase order to its supplier: the PDF (``documents.py``) in the supplier's language, to its
order address (else its general e-mail), through the notify domain's mail outbox (written in the caller's
transaction, sent after the commit). Sent once when the order is sent (the handler of OrderConfirmed, keyed
on the order); a resend is an explicit action of the buyer, keyed on its own idempotency key, and audited."""

from __future__ import annotations

from sqlalchemy import select

from boh.catalog.api import get_supplier_ref
from boh.http.i18n import gettext_ as _
from boh.http.i18n import localized_name
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.notify.api import queue_mail
from boh.org.api import tenant_ref
from boh.purchasing import documents, queries
from boh.purchasing.errors import WrongStatus
from boh.purchasing.models import Order, OrderEvent
from boh.purchasing.service._common import APPROVE, get_order, history

SENDABLE = ("confirmed", "partially_received", "received", "closed")


def _send(uow: UnitOfWork, scope: Scope, order: Order, dedupe_key: str, action: str) -> int | None:
    o = queries.order_read(uow.session, scope, order.id)
    assert o.supplier_id is not None
    supplier = get_supplier_ref(uow.session, uow.tenant_id, o.supplier_id)
    to = supplier.order_email or supplier.email
    if not to:
        msg = f"supplier {supplier.code} has no order e-mail address"
        raise ValidationFailed([FieldError(("supplier", "order_email"), msg, "purchasing.supplier_without_email")])
    content, lang = documents.order_pdf(uow.session, uow.tenant_id, o)
    buyer = tenant_ref(uow.session, uow.tenant_id)
    with documents.in_locale(lang):
        who = localized_name(buyer.name, buyer.name_zh)
        subject = _(documents.MAIL_SUBJECT) % {"number": o.number, "buyer": who}
        body = _(documents.MAIL_BODY) % {
            "supplier": localized_name(supplier.name, supplier.name_zh), "number": o.number, "lines": o.lines,
            "date": o.expected_date.isoformat() if o.expected_date else "—", "buyer": who,
        }  # fmt: skip
    mail_id = queue_mail(
        uow, to=to, subject=subject, body=body, dedupe_key=dedupe_key,
        attachment=(f"{o.number}.pdf", "application/pdf", content), about=("purchasing_order", str(o.id)),
    )  # fmt: skip
    if mail_id is not None:
        history(uow, order, action, order.status, to=to, mail_id=mail_id, language=lang)
    return mail_id


def send_on_confirm(uow: UnitOfWork, order_id: int) -> int | None:
    """The first e-mail of a sent purchase order (once per order, whatever the redeliveries). A supplier
    without an address gets none: the order's history says so."""
    order = uow.session.scalars(select(Order).where(Order.tenant_id == uow.tenant_id, Order.id == order_id)).one()
    if order.kind != "purchase" or order.supplier_id is None or order.status not in SENDABLE:
        return None
    try:
        return _send(uow, Scope(uow.tenant_id), order, f"purchasing.order:{order.id}:sent", "email")
    except ValidationFailed:
        skipped = select(OrderEvent.id).where(OrderEvent.order_id == order.id, OrderEvent.action == "email_skipped")
        if uow.session.scalar(skipped.limit(1)) is None:
            history(uow, order, "email_skipped", order.status, reason="no order e-mail address")
        return None


def resend(uow: UnitOfWork, order_id: int, *, idempotency_key: str) -> int | None:
    """E-mail the order to the supplier again (the buyer's explicit action, audited in the order's history).
    A retry with the same key sends nothing more (returns None)."""
    scope = uow.principal.scope(APPROVE)
    order = get_order(uow, scope, order_id, lock=True)
    if scope.supplier_id is not None or order.kind != "purchase" or order.status not in SENDABLE:
        raise WrongStatus(f"order {order.number} is {order.status}: it cannot be e-mailed", status=order.status,
                          action="resend")  # fmt: skip
    return _send(uow, scope, order, f"purchasing.order:{order.id}:resend:{idempotency_key}", "resend")

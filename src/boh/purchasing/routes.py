"""JSON API of purchasing under /api/v1/purchasing: purchase and transfer orders (list, read, create, edit a
draft, confirm, amend, cancel, close), supplier answers and shipping notices, the buyer's decisions, transfer
allocation and dispatch, goods receipts. Errors are problem+json with stable codes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi.responses import Response

from boh.http.deps import UowDep
from boh.http.pagination import Page, PageDep
from boh.http.pdf import pdf_response
from boh.http.routing import SecureRouter
from boh.purchasing import documents, mail, queries, service
from boh.purchasing.schemas import (
    AllocateIn,
    AsnIn,
    AsnRead,
    DecisionIn,
    DispatchIn,
    LineAmend,
    LineEdit,
    OrderRead,
    OrdersCreate,
    OrderSummary,
    PlacedOrderRead,
    ReasonIn,
    ReceiptIn,
    ReceiptRead,
    ResendIn,
    ResendRead,
    ResponsesIn,
    Status,
)  # fmt: skip
from boh.purchasing.service import APPROVE, READ, RECEIVE, RESPOND, WRITE

router = SecureRouter(prefix="/api/v1/purchasing", tags=["purchasing"])
_CONFLICT = {409: {"description": "purchasing.wrong_status, purchasing.idempotency_key_reused, ..."}}


def _read(uow: UowDep, order_id: int, perm: str = READ) -> OrderRead:
    return queries.order_read(uow.session, uow.principal.scope(perm), order_id)


@router.get("/orders", perm=READ, response_model=Page[OrderSummary],
            summary="Purchase and transfer orders, newest first (a supplier: its own sent orders)")  # fmt: skip
def list_orders(uow: UowDep, page: PageDep, status: Status | None = None, kind: str | None = None,
                site_id: int | None = None, supplier_id: int | None = None, open_only: bool = False,
                expected_from: date | None = None, expected_to: date | None = None) -> Page[OrderSummary]:  # fmt: skip
    items, total = queries.list_orders(
        uow.session, uow.principal.scope(READ), status=status, kind=kind, site_id=site_id, supplier_id=supplier_id,
        open_only=open_only, expected_from=expected_from, expected_to=expected_to, limit=page.limit,
        offset=page.offset,
    )  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/orders/{order_id}", perm=READ, response_model=OrderRead,
            summary="An order with its lines, history, shipping notices, receipts and discrepancies")  # fmt: skip
def get_order(uow: UowDep, order_id: int) -> OrderRead:
    return _read(uow, order_id)


@router.get("/orders/{order_id}/pdf", perm=READ, response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "The purchase order document"}},
            summary="The purchase order as a PDF (the supplier's language, else the tenant's, or lang)")  # fmt: skip
def order_pdf(uow: UowDep, order_id: int, lang: Literal["en", "zh_CN"] | None = None) -> Response:
    order = _read(uow, order_id)
    content, _lang = documents.order_pdf(uow.session, uow.tenant_id, order, lang)
    return pdf_response(content, f"{order.number}.pdf")


@router.post("/orders/{order_id}/resend", perm=APPROVE, response_model=ResendRead, responses=_CONFLICT,
             summary="E-mail a sent purchase order to the supplier again (audited; a retry sends nothing)")  # fmt: skip
def resend(uow: UowDep, order_id: int, body: ResendIn) -> ResendRead:
    mail_id = mail.resend(uow, order_id, idempotency_key=body.idempotency_key)
    uow.commit()
    return ResendRead(mail_id=mail_id, queued=mail_id is not None)


@router.post("/orders", perm=WRITE, status_code=201, response_model=list[PlacedOrderRead], responses=_CONFLICT,
             summary="Order lines: one draft (or confirmed) document per kind, site, supplier or source")  # fmt: skip
def create_orders(uow: UowDep, body: OrdersCreate) -> list[PlacedOrderRead]:
    requests = [service.OrderRequest(**ln.model_dump()) for ln in body.lines]
    placed = service.place_orders(uow, requests, confirm=body.confirm, idempotency_key=body.idempotency_key)
    uow.commit()
    return [PlacedOrderRead(order_id=p.order_id, number=p.number, kind=p.kind, status=p.status,
                            line_ids=list(p.line_ids)) for p in placed]  # fmt: skip


@router.patch("/orders/{order_id}/lines/{order_line_id}", perm=WRITE, response_model=OrderRead, responses=_CONFLICT,
              summary="Change a draft's line (a confirmed order changes by amendment)")  # fmt: skip
def edit_line(uow: UowDep, order_id: int, order_line_id: int, body: LineEdit) -> OrderRead:
    service.edit_draft_line(uow, order_id, order_line_id, quantity=body.quantity, unit_price=body.unit_price,
                            expected_date=body.expected_date)  # fmt: skip
    out = _read(uow, order_id, WRITE)
    uow.commit()
    return out


@router.delete("/orders/{order_id}/lines/{order_line_id}", perm=WRITE, response_model=OrderRead, responses=_CONFLICT,
               summary="Remove a draft's line")  # fmt: skip
def remove_line(uow: UowDep, order_id: int, order_line_id: int) -> OrderRead:
    service.edit_draft_line(uow, order_id, order_line_id, remove=True)
    out = _read(uow, order_id, WRITE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/confirm", perm=APPROVE, response_model=OrderRead, responses=_CONFLICT,
             summary="Send a draft: its lines go on order (a transfer's are reserved at the source)")  # fmt: skip
def confirm(uow: UowDep, order_id: int) -> OrderRead:
    service.confirm(uow, order_id)
    out = _read(uow, order_id, APPROVE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/lines/{order_line_id}/amend", perm=APPROVE, response_model=OrderRead,
             responses=_CONFLICT, summary="Amend a confirmed order's line: a new version, audited")  # fmt: skip
def amend(uow: UowDep, order_id: int, order_line_id: int, body: LineAmend) -> OrderRead:
    service.amend_line(uow, order_id, order_line_id, reason=body.reason, quantity=body.quantity,
                       unit_price=body.unit_price, expected_date=body.expected_date)  # fmt: skip
    out = _read(uow, order_id, APPROVE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/cancel", perm=APPROVE, response_model=OrderRead, responses=_CONFLICT,
             summary="Cancel a draft or a confirmed order nothing arrived of")  # fmt: skip
def cancel(uow: UowDep, order_id: int, body: ReasonIn) -> OrderRead:
    service.cancel(uow, order_id, reason=body.reason)
    out = _read(uow, order_id, APPROVE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/close", perm=APPROVE, response_model=OrderRead, responses=_CONFLICT,
             summary="Close an order: what is still open will not come")  # fmt: skip
def close(uow: UowDep, order_id: int, body: ReasonIn) -> OrderRead:
    service.close(uow, order_id, reason=body.reason)
    out = _read(uow, order_id, APPROVE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/responses", perm=RESPOND, response_model=OrderRead, responses=_CONFLICT,
             summary="The supplier's answer per line: accept, change (with a reason), reject")  # fmt: skip
def respond(uow: UowDep, order_id: int, body: ResponsesIn) -> OrderRead:
    service.respond(uow, order_id, [service.LineResponse(**r.model_dump()) for r in body.lines])
    out = _read(uow, order_id, RESPOND)
    uow.commit()
    return out


@router.post("/orders/{order_id}/lines/{order_line_id}/decision", perm=APPROVE, response_model=OrderRead,
             responses=_CONFLICT, summary="The buyer accepts or declines a supplier's change or rejection")  # fmt: skip
def decide(uow: UowDep, order_id: int, order_line_id: int, body: DecisionIn) -> OrderRead:
    service.decide(uow, order_id, order_line_id, accept=body.accept, note=body.note)
    out = _read(uow, order_id, APPROVE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/asns", perm=RESPOND, status_code=201, response_model=AsnRead, responses=_CONFLICT,
             summary="An advance shipping notice: lines, quantities, lots, expiry dates, expected arrival")  # fmt: skip
def send_asn(uow: UowDep, order_id: int, body: AsnIn) -> AsnRead:
    lines = [service.AsnLineIn(ln.line_id, ln.quantity, ln.lot_code, ln.expiry_date) for ln in body.lines]
    asn = service.send_asn(uow, order_id, number=body.number, expected_arrival=body.expected_arrival, lines=lines,
                           idempotency_key=body.idempotency_key)  # fmt: skip
    out = next(a for a in _read(uow, order_id, RESPOND).asns if a.id == asn.id)
    uow.commit()
    return out


@router.post("/transfers/allocate", perm=APPROVE, response_model=list[OrderSummary],
             summary="Confirm a source's draft transfers, its short stock shared in proportion to need")  # fmt: skip
def allocate(uow: UowDep, body: AllocateIn) -> list[OrderSummary]:
    orders = service.allocate_transfers(uow, body.from_site_id, order_ids=body.order_ids, step=body.step)
    out = queries.summaries(uow.session, uow.tenant_id, orders)
    uow.commit()
    return out


@router.post("/orders/{order_id}/dispatch", perm=WRITE, response_model=OrderRead, responses=_CONFLICT,
             summary="Ship a confirmed transfer from its source (in transit at the destination)")  # fmt: skip
def dispatch(uow: UowDep, order_id: int, body: DispatchIn) -> OrderRead:
    service.dispatch(uow, order_id, idempotency_key=body.idempotency_key)
    out = _read(uow, order_id, WRITE)
    uow.commit()
    return out


@router.post("/orders/{order_id}/receipts", perm=RECEIVE, status_code=201, response_model=ReceiptRead,
             responses={**_CONFLICT, 409: {"description": "purchasing.receipt_blocked (supplier certificate), ..."}},
             summary="Receive goods against the order (and a shipping notice): all lines posted or none")  # fmt: skip
def receive(uow: UowDep, order_id: int, body: ReceiptIn) -> ReceiptRead:
    lines = [service.ReceiptLineIn(**ln.model_dump()) for ln in body.lines]
    r = service.receive_goods(uow, order_id, lines=lines, idempotency_key=body.idempotency_key, asn_id=body.asn_id,
                              note=body.note)  # fmt: skip
    out = ReceiptRead(id=r.id, number=r.number, asn_id=r.asn_id, received_at=r.received_at, received_by=r.received_by)
    uow.commit()
    return out

"""Commitments pages: the open reservations and expected receipts of a site, with release and cancel; one
that an order owns is released or cancelled on that order only (the page links there instead)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import flash, redirect
from boh.http.templating import render
from boh.inventory.commitments import queries as commitment_queries
from boh.inventory.commitments import service as commitments
from boh.inventory.commitments.errors import ManagedByOwner
from boh.inventory.commitments.schemas import CommitmentFilter, ReleaseIn
from boh.inventory.pages import _read
from boh.inventory.pages._common import READ, FormDep, int_or_none, pick_site, router
from boh.kernel.uow import UnitOfWork

LIMIT = 200


@router.get("/commitments", perm=READ)
def commitments_page(request: Request, uow: UowDep, site_id: str | None = None) -> HTMLResponse:
    scope = uow.principal.scope(READ)
    sites = _read.site_options(uow.session, scope)
    site = pick_site(sites, int_or_none(site_id))
    held, incoming = [], []
    if site is not None:
        f = CommitmentFilter(site_id=site.id, status="open")
        held = commitment_queries.list_commitments(uow.session, scope, "reservation", f, LIMIT, 0)[0]
        incoming = commitment_queries.list_commitments(uow.session, scope, "incoming", f, LIMIT, 0)[0]
    ctx = {
        "site": site,
        "sites": sites,
        "held": held,
        "incoming": incoming,
        "skus": _read.skus(uow.session, uow.tenant_id, {c.item_id for c in held + incoming}),
        "can_release": uow.principal.can(commitments.RESERVE),
        "can_cancel": uow.principal.can(commitments.INCOMING),
        "key": uuid.uuid4().hex,
    }
    return render(request, "inventory/commitments.html", ctx)


def _close(uow: UnitOfWork, command: str, commitment_id: int, data: dict[str, str]) -> Response:
    body = ReleaseIn(reason=_("Closed in the console"), idempotency_key=data.get("idempotency_key") or uuid.uuid4().hex)
    try:
        outcome = getattr(commitments, command)(uow, commitment_id, body)
    except ManagedByOwner as exc:  # an order's: changed on the order, nothing was written here
        uow.rollback()
        link = str(exc.extra.get("managed_at") or "")
        response = redirect(link if link.startswith("/") and not link.startswith("//") else "/inventory/commitments")
        flash(response, _("This belongs to an order: change it on the order."), "error")
        return response
    uow.commit()
    response = redirect(f"/inventory/commitments?site_id={outcome.commitment.site_id}")
    flash(response, _("Reservation released.") if command == "release" else _("Expected receipt cancelled."))
    return response


@router.post("/reservations/{reservation_id}/release", perm=commitments.RESERVE)
def release_reservation(uow: UowDep, reservation_id: int, data: FormDep) -> Response:
    return _close(uow, "release", reservation_id, data)


@router.post("/incoming/{incoming_id}/cancel", perm=commitments.INCOMING)
def cancel_incoming(uow: UowDep, incoming_id: int, data: FormDep) -> Response:
    return _close(uow, "cancel", incoming_id, data)

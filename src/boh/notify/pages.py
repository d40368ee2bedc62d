"""Console pages of notifications: the list (newest first, unread marked), mark read, the unread badge the
navigation loads, and the user's e-mail subscriptions per kind."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import checked, flash, form_data, is_htmx, page_router, pager, redirect, safe_next
from boh.http.routing import AUTHENTICATED
from boh.http.templating import render
from boh.notify import queries, service
from boh.notify.kinds import KINDS

router = page_router("/notifications")
FormDep = Annotated[dict[str, str], Depends(form_data)]
PAGE_SIZE = 30


def _user_id(request: Request) -> int | None:
    principal = getattr(request.state, "principal", None)
    return principal.id if principal is not None and principal.kind == "user" else None


@router.get("", perm=AUTHENTICATED)
def notifications(request: Request, uow: UowDep, unread: str | None = None, page: int = 1) -> HTMLResponse:
    user_id = _user_id(request) or 0
    page = max(1, page)
    rows, total = queries.list_for(
        uow.session, uow.tenant_id, user_id, unread_only=bool(unread), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    ctx = {
        "rows": rows,
        "kinds": KINDS,
        "unread": bool(unread),
        "unread_total": queries.unread_count(uow.session, uow.tenant_id, user_id),
        "subscribed": service.my_subscriptions(uow),
        "p": pager(total, page, PAGE_SIZE, {"unread": unread}),
    }
    return render(request, "notify/list.html", ctx)


@router.get("/badge", perm=AUTHENTICATED)
def badge(request: Request, uow: UowDep) -> HTMLResponse:
    """The navigation's unread count (htmx loads it after the page, and again every minute)."""
    n = queries.unread_count(uow.session, uow.tenant_id, _user_id(request) or 0)
    return render(request, "notify/_badge.html", {"n": n})


@router.post("/read", perm=AUTHENTICATED)
def mark_read(request: Request, uow: UowDep, data: FormDep) -> Response:
    """Mark one notification (``id``) or all of them (``all``) read; then follow its link or go back."""
    target = safe_next(data.get("next"), "/notifications")
    if data.get("all"):
        service.mark_all_read(uow)
    elif (data.get("id") or "").isdigit():
        service.mark_read(uow, int(data["id"]))
    uow.commit()
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return redirect(target)


@router.post("/subscriptions", perm=AUTHENTICATED)
def subscriptions(request: Request, uow: UowDep, data: FormDep) -> Response:
    user_id = _user_id(request)
    if user_id is not None:
        for kind in KINDS:
            service.subscribe(uow, kind=kind, user_id=user_id, on=checked(data, f"email_{kind}"))
        uow.commit()
    response = redirect("/notifications")
    flash(response, _("Your e-mail settings were saved."))
    return response

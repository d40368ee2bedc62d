"""The rejected readings (dead letters) page: what was refused and why, and a replay button for the ones
whose cause is fixed (each reading goes in once; tenant-wide users only, like the API)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from boh.coldchain import service
from boh.coldchain.models import DeadLetter
from boh.coldchain.pages._common import router
from boh.coldchain.service import WRITE
from boh.http.deps import UowDep
from boh.http.i18n import gettext_ as _
from boh.http.pages import N_, flash, pager, redirect
from boh.http.templating import render

PAGE_SIZE = 25
STATUSES = {"open": N_("Open"), "replayed": N_("Replayed")}


@router.get("/dead-letters", perm=WRITE)
def dead_letters(
    request: Request, uow: UowDep, status: str = "open", page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    tenant_wide = uow.principal.scope(WRITE).site_ids is None
    rows: list[DeadLetter] = []
    total = 0
    if tenant_wide:
        rows, total = service.list_letters(uow, status=status if status in STATUSES else None, limit=PAGE_SIZE,
                                           offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    letters = [{"row": r, "payload": json.dumps(json.loads(r.payload), ensure_ascii=False)[:300]} for r in rows]
    ctx = {"letters": letters, "status": status, "statuses": STATUSES, "tenant_wide": tenant_wide,
           "pager": pager(total, page, PAGE_SIZE, {"status": status})}  # fmt: skip
    return render(request, "coldchain/dead_letters.html", ctx)


@router.post("/dead-letters/{letter_id}/replay", perm=WRITE)
def replay(uow: UowDep, letter_id: int) -> Response:
    result = service.replay(uow, letter_id)
    uow.commit()
    response = redirect("/coldchain/dead-letters")
    if result.status == "replayed":
        flash(response, _("Reading replayed: %(n)s stored.") % {"n": result.accepted + result.duplicates})
    else:
        reason = result.rejected[0].message if result.rejected else ""
        flash(response, _("Still refused: %(reason)s") % {"reason": reason}, "error")
    return response

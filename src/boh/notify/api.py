"""Public functions of the notify domain for every domain above it.

    from boh.notify.api import notify
    notify(uow, kind="receipt_discrepancy", roles=["buyer"], site_id=site.id,
           message=N_("Delivery %(number)s at %(site)s: %(n)s line(s) differ from the order"),
           params={"number": "RC-…", "site": {"en": "…", "zh": "…"}, "n": 2},
           link="/inventory/receiving/12", dedupe_key="receipt:12")

The message is an English msgid (mark it with ``boh.http.pages.N_`` so that Babel extracts it); each
reader sees it in their language. The caller's unit of work commits it; e-mails go after the commit.
"""

from __future__ import annotations

from boh.notify.kinds import KINDS
from boh.notify.messages import text
from boh.notify.queries import unread_count
from boh.notify.service import notify, queue_mail, subscribe

__all__ = ["KINDS", "notify", "queue_mail", "subscribe", "text", "unread_count"]

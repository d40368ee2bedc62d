"""Shared parts of the purchasing pages: the router, navigation, translated labels, form parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import Depends

from boh.http.pages import N_, NavLink, form_data, page_router
from boh.purchasing.service import READ, RECEIVE, RESPOND, SCORECARD

router = page_router("/purchasing")
NAV = [
    NavLink(N_("Orders"), "/purchasing/orders", READ),
    NavLink(N_("Receive deliveries"), "/purchasing/receiving", RECEIVE),
    NavLink(N_("Supplier portal"), "/purchasing/supplier", RESPOND),
    NavLink(N_("Supplier scorecards"), "/purchasing/scorecards", SCORECARD),
]
FormDep = Annotated[dict[str, str], Depends(form_data)]

STATUSES = {
    "draft": N_("Draft"), "confirmed": N_("Sent"), "partially_received": N_("Partly received"),
    "received": N_("Received"), "closed": N_("Closed"), "cancelled": N_("Cancelled"),
}  # fmt: skip
KINDS = {"purchase": N_("Purchase order"), "transfer": N_("Transfer order")}
RESPONSES = {"none": N_("No answer yet"), "accepted": N_("Confirmed"), "changed": N_("Changed"),
             "rejected": N_("Rejected")}  # fmt: skip
LINE_STATUSES = {"open": N_("Open"), "received": N_("Received"), "closed": N_("Closed"),
                 "cancelled": N_("Cancelled")}  # fmt: skip
REASONS = {
    "short": N_("Short"), "over": N_("Over"), "damaged": N_("Damaged"), "quality": N_("Failed quality check"),
    "expired": N_("Expired"), "wrong_item": N_("Not ordered"),
}  # fmt: skip
DISCREPANCIES = {
    "short": N_("Short"), "over": N_("Over"), "damaged": N_("Damaged"), "price": N_("Price"),
    "asn_over": N_("More than the shipping notice"), "asn_short": N_("Less than the shipping notice"),
    "asn_lot": N_("Lot differs from the shipping notice"), "asn_expiry": N_("Expiry differs from the shipping notice"),
    "asn_absent": N_("On the shipping notice, did not arrive"), "asn_extra": N_("Arrived, not on the shipping notice"),
}  # fmt: skip
ACTIONS = {
    "create": N_("Order created"), "edit": N_("Draft changed"), "confirm": N_("Sent"), "amend": N_("Amended"),
    "respond": N_("Supplier answered"), "decide": N_("Buyer decided"), "asn": N_("Shipping notice"),
    "allocate": N_("Allocated"), "dispatch": N_("Dispatched"), "receive": N_("Received"),
    "cancel": N_("Cancelled"), "close": N_("Closed"),
    "email": N_("E-mail to the supplier queued"), "resend": N_("E-mail to the supplier queued again"),
    "email_skipped": N_("Not e-mailed: the supplier has no order e-mail address"),
}  # fmt: skip
ERRORS = {
    "purchasing.reason_required": N_("Give a reason for the rejected quantity"),
    "purchasing.not_shipped": N_("This line has not been shipped yet"),
    "purchasing.receipt_blocked": N_("The supplier's certificate does not allow this delivery"),
    "purchasing.wrong_status": N_("The order is not in a state that allows this"),
}


def labels() -> dict[str, dict[str, str]]:
    return {"statuses": STATUSES, "kinds": KINDS, "responses": RESPONSES, "line_statuses": LINE_STATUSES,
            "reasons": REASONS, "discrepancy_kinds": DISCREPANCIES, "actions": ACTIONS}  # fmt: skip


def dec(value: str | None) -> Decimal | None:
    """A decimal typed in a form; None when blank; InvalidOperation when it is not a finite number."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    d = Decimal(text)
    if not d.is_finite():
        raise InvalidOperation(text)
    return d


def day(value: str | None) -> date | None:
    text = (value or "").strip()
    return date.fromisoformat(text) if text else None

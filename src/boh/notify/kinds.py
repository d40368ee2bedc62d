"""The kinds of notification, with their translatable labels (shown in lists and subscription settings).
A domain that sends a new kind adds it here."""

from __future__ import annotations

from boh.http.pages import N_

KINDS: dict[str, str] = {
    "receipt_discrepancy": N_("Delivery discrepancies"),
    "shrink_alert": N_("Shrink alerts"),
    "negative_stock": N_("Negative stock"),
    "below_reorder_point": N_("Stock below reorder point"),
    "count_review": N_("Stocktakes to review"),
    "transfer_shipped": N_("Transfers on their way"),
    "alert_closed": N_("Alerts closed"),
    "inspection_action": N_("Corrective actions"),
    "inspection_overdue": N_("Overdue corrective actions"),
    "food_safety_alert": N_("Food-safety failures found in an inspection"),
    "cold_chain_excursion": N_("Cold-chain excursions and quarantined lots"),
    "cold_chain_dropout": N_("Cold-chain sensors gone silent"),
    "recall": N_("Recalls: stock to remove from sale"),
    "certificate_expiry": N_("Supplier certificates expiring or expired"),
    "purchase_order_response": N_("Supplier answers and shipping notices on purchase orders"),
    "replenishment_review": N_("Order suggestions ready for review"),
    "replenishment_approval": N_("Order suggestions waiting for approval"),
    "replenishment_escalation": N_("Order approvals nobody acted on"),
}

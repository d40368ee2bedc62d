"""Pure rules of receiving: what a line's difference is and whether it needs a reason."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)
SOURCES = ("purchase_order", "transfer", "unannounced")
REASONS = ("short", "over", "damaged", "wrong_item", "expired", "quality")


def difference(expected: Decimal, received: Decimal, damaged: Decimal, announced: bool) -> str | None:
    """None when the line is as expected, else its kind: short, over, damaged or unexpected."""
    if damaged > 0:
        return "damaged"
    if not announced:
        return "unexpected" if received > 0 else None
    if received < expected:
        return "short"
    if received > expected:
        return "over"
    return None


def number(site_code: str, receipt_id: int) -> str:
    return f"RC-{site_code}-{receipt_id:06d}"

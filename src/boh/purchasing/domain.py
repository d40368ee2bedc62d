"""Pure rules of purchasing: the document state machine, grouping order requests into documents, the fair
allocation of a source's short supply across the orders that want it, a receipt line's discrepancies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

ZERO = Decimal(0)
KINDS = ("purchase", "transfer")
STATUSES = ("draft", "confirmed", "partially_received", "received", "closed", "cancelled")
OPEN = ("confirmed", "partially_received")  # on order: the supplier may answer, goods may arrive
RESPONSES = ("none", "accepted", "changed", "rejected")
REASONS = ("short", "over", "damaged", "quality", "expired", "wrong_item")

# action -> the statuses it may start from
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "edit": ("draft",),
    "confirm": ("draft",),
    "cancel": ("draft", "confirmed"),
    "amend": OPEN,
    "respond": OPEN,
    "dispatch": ("confirmed",),
    "receive": OPEN,
    "close": OPEN + ("received",),
}


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS.get(action, ())


def num(value: Decimal | None) -> str | None:
    """A quantity or price as plain text without trailing zeros (24, 4.8), for history and audit."""
    return None if value is None else format(value.normalize(), "f")


def number(kind: str, site_code: str, order_id: int) -> str:
    return f"{'PO' if kind == 'purchase' else 'TO'}-{site_code}-{order_id:06d}"


def status_after_receipt(lines: Sequence[tuple[str, Decimal, Decimal]]) -> str:
    """The order's status from its lines' (status, quantity, received + rejected): received when every line
    is done (received in full, closed short or cancelled), partially_received when anything arrived."""
    live = [(s, q, r) for s, q, r in lines if s != "cancelled"]
    if live and all(s in ("received", "closed") or r >= q for s, q, r in live):
        return "received"
    if any(r > 0 for _s, _q, r in live):
        return "partially_received"
    return "confirmed"


def group_key(kind: str, site_id: int, supplier_id: int | None, from_site_id: int | None) -> tuple[str, int, int]:
    """One document per (kind, destination site, supplier or source site)."""
    source = supplier_id if kind == "purchase" else from_site_id
    assert source is not None
    return (kind, site_id, source)


def fair_allocation(supply: Decimal, needs: Mapping[int, Decimal], step: Decimal = Decimal(1)) -> dict[int, Decimal]:
    """Share ``supply`` among ``needs`` (order id -> quantity wanted) in proportion to need, in multiples of
    ``step`` (a unit, a case), never more than a need nor more than the supply in total (largest remainder:
    each gets the floor of its share, then the steps left go one each to the largest remainders, ties to the
    larger need, then the lower key). When the supply covers every need, every need is met."""
    if step <= 0:
        raise ValueError("step must be positive")
    wanted = {k: v for k, v in needs.items() if v > 0}
    total = sum(wanted.values(), ZERO)
    if total <= supply:
        return {k: needs[k] if needs[k] > 0 else ZERO for k in needs}
    steps_supply = int((max(supply, ZERO) / step).to_integral_value(ROUND_FLOOR))
    caps = {k: int((v / step).to_integral_value(ROUND_FLOOR)) for k, v in wanted.items()}
    shares = {k: Decimal(steps_supply) * v / total for k, v in wanted.items()}
    given = {k: min(caps[k], int(shares[k].to_integral_value(ROUND_FLOOR))) for k in wanted}
    left = steps_supply - sum(given.values())
    order = sorted(wanted, key=lambda k: (-(shares[k] - given[k]), -wanted[k], k))
    while left > 0:
        progressed = False
        for k in order:
            if left == 0:
                break
            if given[k] < caps[k]:
                given[k] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return {k: Decimal(given.get(k, 0)) * step if k in wanted else ZERO for k in needs}


@dataclass(frozen=True)
class LineCheck:
    """What a receipt line differs in from the order (quantities in base units, prices per purchase unit)."""

    kind: str  # over | short | damaged | price
    expected: Decimal
    actual: Decimal


def discrepancies(
    *, due: Decimal, received: Decimal, rejected: Decimal, closes: bool, agreed_price: Decimal | None,
    invoiced_price: Decimal | None,
) -> list[LineCheck]:  # fmt: skip
    """The differences of one receipt line against what was still due: over (more arrived than due), short
    (closed with less than due), damaged (rejected quantity), price (invoiced differs from agreed)."""
    out: list[LineCheck] = []
    arrived = received + rejected
    if arrived > due:
        out.append(LineCheck("over", due, arrived))
    elif closes and arrived < due:
        out.append(LineCheck("short", due, arrived))
    if rejected > 0:
        out.append(LineCheck("damaged", arrived, received))
    if agreed_price is not None and invoiced_price is not None and invoiced_price != agreed_price:
        out.append(LineCheck("price", agreed_price, invoiced_price))
    return out


@dataclass(frozen=True)
class Shipped:
    """What a shipping notice said (or what arrived) for one order line: base units, lot and expiry."""

    quantity: Decimal
    lot_code: str | None = None
    expiry_date: date | None = None


@dataclass(frozen=True)
class AsnCheck:
    """One difference between a shipping notice and what arrived, for one order line."""

    order_line_id: int
    kind: str  # asn_over | asn_short | asn_lot | asn_expiry | asn_absent | asn_extra
    expected: Decimal  # base units the notice announced
    actual: Decimal  # base units that arrived (received + refused)
    expected_ref: str | None = None  # the notice's lot code(s) or expiry date(s)
    actual_ref: str | None = None


ASN_KINDS = ("asn_over", "asn_short", "asn_lot", "asn_expiry", "asn_absent", "asn_extra")


def asn_discrepancies(notice: Mapping[int, Sequence[Shipped]], arrived: Mapping[int, Sequence[Shipped]], *,
                      final: bool = True) -> list[AsnCheck]:  # fmt: skip
    """Compare what a supplier's shipping notice said it shipped (per order line, one entry per notice line)
    with everything that arrived against it so far (per order line, one entry per receipt line: received +
    refused, the lot and expiry captured; summed over the receipts): asn_over / asn_short (more or less than
    announced), asn_lot / asn_expiry (a lot or expiry was captured that the notice did not name; the notice's
    values against the unexpected ones), asn_absent (announced, nothing arrived), asn_extra (arrived, not on
    the notice). A line without a captured lot or expiry is not compared on it. Until the comparison is
    ``final`` (see ``notice_final``) an announced line that has not arrived yet is still to come, not absent.
    Ordered by order line."""
    out: list[AsnCheck] = []
    for lid in sorted(set(notice) | set(arrived)):
        said = notice.get(lid, ())
        announced = sum((s.quantity for s in said), ZERO)
        got = arrived.get(lid, ())
        qty = sum((g.quantity for g in got), ZERO)
        if not said:
            if qty > 0:
                out.append(AsnCheck(lid, "asn_extra", ZERO, qty))
            continue
        if qty <= 0:
            if announced > 0 and final:
                out.append(AsnCheck(lid, "asn_absent", announced, ZERO))
            continue
        if qty != announced:
            out.append(AsnCheck(lid, "asn_over" if qty > announced else "asn_short", announced, qty))
        lots = sorted({s.lot_code for s in said if s.lot_code})
        other_lots = sorted({g.lot_code for g in got if g.lot_code and g.lot_code not in lots})
        if lots and other_lots:
            out.append(AsnCheck(lid, "asn_lot", announced, qty, ", ".join(lots)[:60], ", ".join(other_lots)[:60]))
        expiries = sorted({s.expiry_date for s in said if s.expiry_date})
        other_days = sorted({g.expiry_date for g in got if g.expiry_date and g.expiry_date not in expiries})
        if expiries and other_days:
            out.append(AsnCheck(lid, "asn_expiry", announced, qty, ", ".join(d.isoformat() for d in expiries)[:60],
                                ", ".join(d.isoformat() for d in other_days)[:60]))  # fmt: skip
    return out


def notice_final(order_status: str, announced_line_statuses: Iterable[str]) -> bool:
    """Whether a shipping notice's comparison is final: nothing more will arrive against it, because the order
    is received, closed or cancelled, or every order line the notice announced is (received in full, closed
    short or cancelled)."""
    return order_status in ("received", "closed", "cancelled") or all(s != "open" for s in announced_line_statuses)


def transfer_difference(shipped: Decimal, received: Decimal, rejected: Decimal) -> tuple[Decimal, Decimal]:
    """A transfer line on receipt: (short, over) against what the source shipped; the damaged (rejected)
    quantity arrived but is not sellable."""
    arrived = received + rejected
    return max(shipped - arrived, ZERO), max(arrived - shipped, ZERO)


def change_needs_buyer(
    *,
    quantity: Decimal,
    new_quantity: Decimal,
    price: Decimal | None,
    new_price: Decimal | None,
    needed_by: date | None,
    new_date: date | None,
) -> bool:
    """The policy for a supplier's change of a line: the buyer decides on a quantity change, a higher price or
    a delivery after the date the goods are needed by; a lower price or an earlier date, or a later one still
    in time, is accepted at once."""
    if new_quantity != quantity:
        return True
    if new_price is not None and (price is None or new_price > price):
        return True
    return new_date is not None and needed_by is not None and new_date > needed_by


def mean_std(samples: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and sample standard deviation (n - 1; 0 for fewer than two samples), exact decimals."""
    if not samples:
        return ZERO, ZERO
    n = len(samples)
    mean = sum(samples, ZERO) / n
    if n < 2:
        return mean, ZERO
    var = sum(((s - mean) ** 2 for s in samples), ZERO) / (n - 1)
    return mean, var.sqrt()


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a percentage with one decimal, None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))

"""Pure rules of floor-event ingestion (no I/O).

Parsing: each raw event is validated alone; a bad one yields a ``Problem`` (code + message) reported by
its index, never an exception for the batch.

Stock: sales are negative ``sale`` moves, returns positive ``return`` moves, both valued at the current
moving average. At a site whose negative-stock policy is "refuse", a sale that would take its balance below
zero is rejected (``inventory.insufficient_stock``) and the others still apply; "flag" applies it and
marks the move negative. Sales are checked in batch order against the running balance.

RFID (see ``rfid.py`` for the I/O): reads never move stock. A tag's row records where it was last seen.
- a read of a known tag only updates where/when it was seen: repeated reads are one presence;
- a sale of ``n`` units of an item at a site marks up to ``n`` present tags of that item at that site as
  "sold", most recently seen first (the tags near the till);
- a read at zone "exit": a "sold" tag leaves quietly; a present tag leaves quietly too if another tag of
  the same item at the same site was marked sold within ``EXIT_WINDOW`` before the exit (the sale was
  attributed to the wrong tag: that tag goes back to present); otherwise the tag left without a sale and a
  shrink alert is raised. Either way the tag's status becomes "left";
- a tag never seen before that is read at the exit is judged the same way (no sale could have marked it,
  so only a recent sale of its item at the site, via the swap rule, keeps it from raising an alert);
- a tag read again after "left", "sold" or "missing" in a non-exit zone is present again;
- a read older than the tag's last one changes nothing (out-of-order reads), but still counts as seen
  in its session;
- sales of fractional quantities (kg items) mark no tag: weighed goods are not tagged per unit;
- a sale that arrives after the exit read it paid for (the POS feed lagging the RFID feed) settles the
  open shrink alert of its item and site whose exit came within ``EXIT_WINDOW`` after the sale: the alert
  is closed by "system:late_sale" instead of a tag being marked sold.

Zone sessions: a read with a ``session_id`` records the tag in the session (opened by its first read, with
that read's site and zone) and whether the tag was present in that site and zone before the read. Closing
the session: expected = present tags of the site+zone not seen + seen tags that were expected; missing =
expected - seen (their status becomes "missing"); unexpected = seen - expected.

Weight shelves: a reading converts grams to the item's base unit (kg or g only); a drop against the
shelf's previous (older) reading is a "shelf_drop" observation for reconciliation, not a stock move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from boh.inventory.ingest.schemas import MAX_BATCH, FloorEvent, RfidReadEvent, SaleEvent, WeightEvent

ZERO = Decimal(0)
EXIT_WINDOW = timedelta(minutes=30)
KINDS = ("sale", "return", "rfid_read", "weight")

_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "sale": TypeAdapter(SaleEvent),
    "return": TypeAdapter(SaleEvent),
    "rfid_read": TypeAdapter(RfidReadEvent),
    "weight": TypeAdapter(WeightEvent),
}
_WEIGHT_UNITS = {"kg": Decimal(1000), "g": Decimal(1)}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def parse_event(raw: Any, default_site: str | None = None) -> FloorEvent | Problem:
    """The typed event, or why it is not one (missing or malformed field, unknown kind)."""
    if not isinstance(raw, Mapping):
        return Problem("inventory.malformed_event", "an event must be a JSON object")
    kind = raw.get("kind")
    if kind not in _ADAPTERS:
        return Problem("inventory.unknown_kind", f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    data = dict(raw)
    if default_site is not None and not data.get("site"):
        data["site"] = default_site
    try:
        event: FloorEvent = _ADAPTERS[str(kind)].validate_python(data)
    except ValidationError as exc:
        return _problem(exc)
    return event


_BATCH: TypeAdapter[list[FloorEvent]] = TypeAdapter(
    list[Annotated[SaleEvent | RfidReadEvent | WeightEvent, Field(discriminator="kind")]]
)


class _Body(BaseModel):
    events: list[Annotated[SaleEvent | RfidReadEvent | WeightEvent, Field(discriminator="kind")]] = Field(
        max_length=MAX_BATCH
    )


_BODY: TypeAdapter[_Body] = TypeAdapter(_Body)


def decode_body(body: bytes) -> list[FloorEvent] | None:
    """The events of an HTTP body in which every event is valid, parsed straight from the JSON bytes (one
    pass in pydantic's core: no Python dicts in between); None when anything is wrong, and the caller takes
    the slow path that reports each bad event by index."""
    try:
        return list(_BODY.validate_json(body).events)
    except ValidationError:
        return None


def parse_events(raws: Sequence[Any], default_site: str | None = None) -> list[FloorEvent | Problem]:
    """``parse_event`` of each raw event, with the same results: a batch is validated by one call into
    pydantic's core (per-event calls cost more than the validation); when some events are bad, the good
    ones are validated together again and each bad one alone, for its message."""
    items = [_with_site(r, default_site) for r in raws] if default_site is not None else list(raws)
    try:
        return list(_BATCH.validate_python(items))
    except ValidationError as exc:
        bad = {e["loc"][0] for e in exc.errors(include_url=False) if e["loc"] and isinstance(e["loc"][0], int)}
    out: list[FloorEvent | Problem] = [parse_event(r) if i in bad else Problem("", "") for i, r in enumerate(items)]
    good = [i for i in range(len(items)) if i not in bad]
    try:
        for i, ev in zip(good, _BATCH.validate_python([items[i] for i in good]), strict=True):
            out[i] = ev
    except ValidationError:  # cannot happen (each good event validated in the batch); stay exact anyway
        return [parse_event(r) for r in items]
    return out


def _with_site(raw: Any, default_site: str) -> Any:
    if isinstance(raw, Mapping) and not raw.get("site"):
        return {**raw, "site": default_site}
    return raw


def _problem(exc: ValidationError) -> Problem:
    parts: list[str] = []
    missing = invalid_text = False
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        missing = missing or err["type"] == "missing"
        parts.append(f"{loc}: {err['msg']}")
        invalid_text = invalid_text or err["type"] in ("invalid_text", "string_unicode")
    if invalid_text:
        code = "inventory.invalid_text"
    else:
        code = "inventory.missing_field" if missing else "inventory.malformed_event"
    return Problem(code, "; ".join(parts))


def event_id_of(raw: Any) -> str | None:
    if isinstance(raw, Mapping):
        value = raw.get("event_id")
        return str(value) if value is not None else None
    return None


def weight_to_base(base_uom: str, weight_g: Decimal) -> Decimal | None:
    """The base quantity a weight stands for, or None when the item is not sold by weight."""
    per_unit = _WEIGHT_UNITS.get(base_uom)
    return None if per_unit is None else weight_g / per_unit


def shelf_drop(previous_g: Decimal | None, previous_at: datetime | None, now_g: Decimal, at: datetime) -> Decimal:
    """Grams that left the shelf since its previous reading (0 for a rise, a first or an older reading)."""
    if previous_g is None or previous_at is None or at <= previous_at:
        return ZERO
    return max(previous_g - now_g, ZERO)


@dataclass
class Tag:
    """The state of one RFID tag, as stored in inventory_rfid_tag."""

    epc: str
    item_id: int
    site_id: int
    zone: str
    status: str  # present | sold | missing | left
    last_seen_at: datetime
    sold_at: datetime | None = None
    new: bool = False  # not stored yet
    changed: bool = False


def mark_sold(tags: list[Tag], quantity: Decimal, at: datetime) -> list[Tag]:
    """Mark up to ``quantity`` (whole units) present tags as sold, most recently seen first."""
    count = whole_units(quantity)
    candidates = sorted((t for t in tags if t.status == "present"), key=lambda t: (t.last_seen_at, t.epc))
    chosen = candidates[::-1][:count]
    for t in chosen:
        t.status, t.sold_at, t.changed = "sold", at, True
    return chosen


def read_tag(tag: Tag, zone: str, site_id: int, at: datetime, swap: Tag | None) -> bool:
    """Apply one read to the tag; True when it left through the exit without a sale (shrink).
    ``swap``: a tag of the same item marked sold within the window, used when ``tag`` was not sold."""
    if at < tag.last_seen_at and not tag.new:
        return False  # an older read than what we know: it does not change where the tag is
    tag.last_seen_at, tag.site_id, tag.changed = at, site_id, True
    tag.zone = zone
    if zone != "exit":
        if tag.status != "present":
            tag.status, tag.sold_at = "present", None
        return False
    if tag.status == "sold":
        tag.status = "left"
        return False
    tag.status = "left"
    if swap is not None:
        swap.status, swap.sold_at, swap.changed = "present", None, True
        return False
    return True


def swap_candidate(tags: Iterable[Tag], exit_tag: Tag, at: datetime) -> Tag | None:
    """A tag of the exit tag's item and site marked sold within ``EXIT_WINDOW`` before ``at``."""
    best: Tag | None = None
    for t in tags:
        if t is exit_tag or t.status != "sold" or t.sold_at is None:
            continue
        if t.item_id != exit_tag.item_id or t.site_id != exit_tag.site_id:
            continue
        if at - EXIT_WINDOW <= t.sold_at <= at + EXIT_WINDOW and (best is None or t.sold_at < (best.sold_at or at)):
            best = t
    return best


@dataclass
class OpenShrink:
    """An open shrink alert: a tag of the key left at ``exit_at`` without a sale known at the time."""

    alert_id: int
    exit_at: datetime
    settled: bool = False


def settle_late(alerts: list[OpenShrink], whole_units: int, sold_at: datetime) -> list[OpenShrink]:
    """A sale that arrives after the exit it paid for (POS and RFID feeds are not ordered): it settles up
    to ``whole_units`` open alerts of its item and site whose exit came within ``EXIT_WINDOW`` after it."""
    out: list[OpenShrink] = []
    for a in sorted(alerts, key=lambda a: (a.exit_at, a.alert_id)):
        if len(out) >= whole_units:
            break
        if not a.settled and sold_at <= a.exit_at <= sold_at + EXIT_WINDOW:
            a.settled = True
            out.append(a)
    return out


def whole_units(quantity: Decimal) -> int:
    return int(quantity) if quantity >= 1 else 0


def session_diff(
    expected: Mapping[str, int], seen: Mapping[str, int]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(missing, unexpected) tags as sorted (epc, item_id): expected but not seen, seen but not expected."""
    missing = sorted((epc, item) for epc, item in expected.items() if epc not in seen)
    unexpected = sorted((epc, item) for epc, item in seen.items() if epc not in expected)
    return missing, unexpected

"""Pure rules of ingestion: parsing, stock checks, weights, tag states, session comparison."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

from boh.inventory.ingest import domain
from boh.inventory.ingest.domain import Problem, Tag, parse_event, parse_events
from boh.inventory.ingest.schemas import RfidReadEvent, SaleEvent

T = datetime.fromisoformat("2026-11-25T09:00:00+08:00")
BASE = {"event_id": "e1", "source": "pos", "site": "SH01", "occurred_at": "2026-11-25T09:00:00+08:00"}


def test_parse_event_by_kind_and_problems() -> None:
    ev = domain.parse_event({**BASE, "kind": "sale", "sku": "MILK", "qty": "1.5"})
    assert isinstance(ev, SaleEvent) and ev.qty == D("1.5")
    assert isinstance(
        domain.parse_event({**BASE, "kind": "rfid_read", "epc": "30", "reader": "r", "zone": "exit"}), RfidReadEvent
    )
    assert domain.parse_event({**BASE, "kind": "fly"}) == Problem(
        "inventory.unknown_kind", "unknown kind 'fly': expected one of sale, return, rfid_read, weight"
    )
    both = domain.parse_event({**BASE, "kind": "sale", "sku": "A", "gtin": "12345678", "qty": 1})
    assert isinstance(both, Problem) and both.code == "inventory.malformed_event" and "exactly one" in both.message
    missing = domain.parse_event({"kind": "sale", "sku": "A", "qty": 1})
    assert isinstance(missing, Problem) and missing.code == "inventory.missing_field"
    assert isinstance(domain.parse_event({**BASE, "kind": "sale", "sku": "A", "qty": 0}), Problem)
    assert isinstance(domain.parse_event({**BASE, "kind": "sale", "sku": "A", "qty": "0.0000001"}), Problem)
    no_site = {k: v for k, v in BASE.items() if k != "site"}
    with_default = domain.parse_event({**no_site, "kind": "sale", "sku": "A", "qty": 1}, default_site="SH02")
    assert isinstance(with_default, SaleEvent) and with_default.site == "SH02"


def test_weight_to_base_and_shelf_drop() -> None:
    assert domain.weight_to_base("kg", D(1250)) == D("1.25")
    assert domain.weight_to_base("g", D(1250)) == D(1250)
    assert domain.weight_to_base("each", D(1250)) is None
    assert domain.shelf_drop(D(1000), T, D(700), T + timedelta(minutes=1)) == D(300)
    assert domain.shelf_drop(D(700), T, D(1000), T + timedelta(minutes=1)) == 0  # restocked
    assert domain.shelf_drop(D(1000), T, D(700), T - timedelta(minutes=1)) == 0  # older reading
    assert domain.shelf_drop(None, None, D(700), T) == 0


def _tag(epc: str, status: str = "present", minute: int = 0) -> Tag:
    return Tag(epc, 7, 1, "floor", status, T + timedelta(minutes=minute))


def test_sales_mark_the_most_recently_seen_present_tags() -> None:
    tags = [_tag("A", minute=1), _tag("B", minute=3), _tag("C", "left", 5), _tag("D", minute=2)]
    chosen = domain.mark_sold(tags, D(2), T)
    assert [t.epc for t in chosen] == ["B", "D"]
    assert [t.status for t in tags] == ["present", "sold", "left", "sold"]
    assert domain.mark_sold(tags, D("0.5"), T) == []  # a fraction of a unit marks no tag


def test_exit_reads() -> None:
    sold = _tag("S", "sold")
    assert domain.read_tag(sold, "exit", 1, T + timedelta(minutes=1), None) is False
    assert sold.status == "left"
    unpaid = _tag("U")
    assert domain.read_tag(unpaid, "exit", 1, T + timedelta(minutes=1), None) is True
    other_sold = _tag("O", "sold")
    other_sold.sold_at = T
    walker = _tag("W")
    swap = domain.swap_candidate([other_sold, walker], walker, T + timedelta(minutes=5))
    assert swap is other_sold
    assert domain.read_tag(walker, "exit", 1, T + timedelta(minutes=5), swap) is False
    assert (walker.status, other_sold.status) == ("left", "present")
    old_sale = _tag("Z", "sold")
    old_sale.sold_at = T - domain.EXIT_WINDOW - timedelta(minutes=1)
    assert domain.swap_candidate([old_sale], _tag("Q"), T) is None
    back = _tag("L", "left")
    assert domain.read_tag(back, "floor", 1, T + timedelta(minutes=1), None) is False
    assert back.status == "present"


def test_session_diff() -> None:
    assert domain.session_diff({"a": 1, "b": 1}, {"a": 1, "c": 2}) == ([("b", 1)], [("c", 2)])


def test_parse_events_gives_what_parse_event_gives_for_each_event_of_a_mixed_batch() -> None:
    """The batch parser validates good events together; results, order and messages are per event."""
    good_sale = {"kind": "sale", "event_id": "e1", "source": "pos:1", "occurred_at": "2026-11-25T09:00:00+08:00",
                 "sku": "MILK", "qty": "2"}  # fmt: skip
    no_site = {**good_sale, "event_id": "e2"}
    read_ev = {"kind": "rfid_read", "event_id": "e3", "source": "rfid:1", "site": "SH02",
               "occurred_at": "2026-11-25T09:00:00+08:00", "epc": "ABC", "reader": "g1", "zone": "exit"}  # fmt: skip
    batch = [
        {**good_sale, "site": "SH01"},
        no_site,
        {**good_sale, "event_id": "e4", "qty": "-1"},
        "not an object",
        {**good_sale, "kind": "teleport"},
        read_ev,
        {**read_ev, "zone": "attic"},
        {**good_sale, "sku": None, "gtin": None},
    ]
    expected = [parse_event(r, "SH09") for r in batch]
    assert parse_events(batch, "SH09") == expected
    assert [type(x).__name__ for x in expected] == [
        "SaleEvent", "SaleEvent", "Problem", "Problem", "Problem", "RfidReadEvent", "Problem", "Problem"
    ]  # fmt: skip
    assert expected[1].site == "SH09" and expected[0].site == "SH01"  # type: ignore[union-attr]
    all_good = [batch[0], batch[5]]
    assert parse_events(all_good) == [parse_event(r) for r in all_good]

"""Pure rules of ingestion: parsing, stock checks, weights, tag states, session comparison."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

from boh.inventory.ingest import domain
from boh.inventory.ingest.domain import Outflow, Problem, Tag
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


def test_check_stock_refuses_only_the_short_move_and_flags_elsewhere() -> None:
    k, other = (1, 1, 0), (2, 1, 0)
    flows = [
        Outflow(0, k, D(-1), True),
        Outflow(1, k, D(-2), True),
        Outflow(2, k, D(-1), True),
        Outflow(3, other, D(-1), False),
    ]
    assert domain.check_stock({k: D(2)}, flows) == ({1}, {3})


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

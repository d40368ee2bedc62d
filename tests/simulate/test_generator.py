"""The floor generator without a database: well-formed events, valid EPCs, determinism, the mix."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from boh.catalog.api import decode_epc, normalize_gtin
from boh.simulate.epc import sgtin96_hex
from boh.simulate.generator import FloorGenerator, generate_events, parse_mix
from boh.simulate.snapshot import CatalogSnapshot, SiteSnap, make_item
from tests.simulate.support import gtin13

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def snapshot() -> CatalogSnapshot:
    items = (*(make_item(f"G{n}", gtin13(n)) for n in range(1, 21)), make_item("APPLE-KG", None, "kg"))
    return CatalogSnapshot("SIM", (SiteSnap("SH01", items), SiteSnap("SH02", items[:10])))


def gen(seed: int = 1, **kw: object) -> FloorGenerator:
    return FloorGenerator(random.Random(seed), snapshot(), now=lambda: NOW, **kw)  # type: ignore[arg-type]


def test_sgtin96_round_trips_through_the_catalog_decoder() -> None:
    epc = sgtin96_hex("6901234567892", 123456789)
    assert len(epc) == 24 and epc.startswith("30")
    decoded = decode_epc(epc)
    assert (decoded.gtin, decoded.serial) == ("06901234567892", "123456789")
    with pytest.raises(ValueError, match="serial"):
        sgtin96_hex("6901234567892", 1 << 38)


def test_events_have_the_contract_fields_and_unique_ids() -> None:
    events = gen().next_events(3000)
    assert len(events) == 3000
    assert len({e["event_id"] for e in events}) == 3000
    for e in events:
        assert e["site"] in ("SH01", "SH02")
        assert datetime.fromisoformat(e["occurred_at"]).tzinfo is not None
        if e["kind"] in ("sale", "return"):
            assert ("sku" in e) != ("gtin" in e)
            assert Decimal(e["qty"]) > 0 and e["receipt_id"] and e["line"] >= 1
            assert e["source"].startswith(f"pos:{e['site']}:")
        elif e["kind"] == "rfid_read":
            assert e["zone"] in ("backroom", "floor", "exit") and e["reader"]
        else:
            assert e["kind"] == "weight" and Decimal(e["weight_g"]) >= 0 and e["shelf"].startswith("shelf")


def test_epcs_name_items_of_the_site_and_tags_are_unique_across_sites() -> None:
    snap = snapshot()
    by_gtin = {normalize_gtin(i.gtin): i.sku for s in snap.sites for i in s.items if i.gtin}
    events = [e for e in gen(mix={"rfid": 1.0}).next_events(2000) if e["kind"] == "rfid_read"]
    assert len(events) == 2000
    site_skus = {s.code: {i.sku for i in s.items} for s in snap.sites}
    tag_site: dict[str, str] = {}
    for e in events:
        sku = by_gtin[decode_epc(e["epc"]).gtin]
        assert sku in site_skus[e["site"]]
        assert tag_site.setdefault(e["epc"], e["site"]) == e["site"]  # a tag never jumps between stores
    zones = Counter(e["zone"] for e in events)
    assert zones["floor"] > zones["exit"] > 0 and zones["backroom"] > 0
    assert Counter(e["epc"] for e in events).most_common(1)[0][1] > 1  # repeated reads of one tag


def test_the_story_has_missing_tags_and_exits_without_a_sale() -> None:
    g = gen(seed=3, mix={"pos": 0.5, "rfid": 0.5})
    g.next_events(5000)
    assert sum(s.missing for s in g.sites) > 0
    assert sum(s.shrunk for s in g.sites) > 0


def test_same_seed_same_events_and_mix_is_respected() -> None:
    assert gen(7).next_events(500) == gen(7).next_events(500)
    assert gen(7).next_events(50) != gen(8).next_events(50)
    kinds = Counter(e["kind"] for e in gen(mix={"pos": 0.7, "rfid": 0.25, "sensor": 0.05}).next_events(4000))
    assert kinds["sale"] + kinds["return"] > kinds["rfid_read"] > kinds["weight"] > 0
    assert set(Counter(e["kind"] for e in gen(mix={"sensor": 1}).next_events(100))) == {"weight"}


def test_generate_events_library_function() -> None:
    events = generate_events(random.Random(1), snapshot(), 250, {"pos": 1.0})
    assert len(events) == 250 and {e["kind"] for e in events} <= {"sale", "return"}


@pytest.mark.parametrize(
    ("text", "error"),
    [("pos=0.7,foo=1", "bad mix entry"), ("pos", "bad mix entry"), ("pos=0", "at least one"), ("pos=-1", "negative")],
)
def test_parse_mix_rejects_nonsense(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_mix(text)


def test_parse_mix_reads_weights() -> None:
    assert parse_mix("pos=0.7, rfid=0.25,sensor=0.05") == {"pos": 0.7, "rfid": 0.25, "sensor": 0.05}

"""The demo's pure generators: valid codes, complete bilingual items, sane supplier terms and stock
levels, and the same output for the same seed. No database."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from boh.catalog.codes import normalize_gtin
from boh.catalog.domain import EU_ALLERGENS, check_stock_levels
from boh.demo.assortment_gen import build_levels
from boh.demo.catalog import case_gtin
from boh.demo.catalog_data import SUPPLIERS
from boh.demo.catalog_gen import build_items, build_supplier_items, check_digit, gtin13
from boh.demo.org_data import HOURS, SITES


@pytest.fixture(scope="module")
def items():  # type: ignore[no-untyped-def]
    return build_items(42)


def _sites() -> dict[str, tuple[str, str]]:
    return {s.code: (s.format or s.kind, s.size) for s in SITES if s.kind != "office"}


def test_check_digit_matches_known_gtins() -> None:
    assert check_digit("400638133393") == "1"  # 4006381333931, the GS1 example EAN-13
    assert check_digit("690123456789") == "2"  # 6901234567892, a Chinese-prefix example
    assert gtin13("6921168", 107) == "692116800107" + check_digit("692116800107")
    with pytest.raises(ValueError, match="12 digits"):
        gtin13("69211", 107)


def test_case_gtin_is_a_valid_gtin14_of_the_unit() -> None:
    case = case_gtin("6901234567892")
    assert len(case) == 14 and case.startswith("1690123456789")
    assert normalize_gtin(case) == case


def test_items_are_many_bilingual_and_uniquely_coded(items) -> None:  # type: ignore[no-untyped-def]
    assert len(items) >= 250
    assert len({i.sku for i in items}) == len(items)
    assert len({i.name for i in items}) == len(items)
    assert len({i.name_zh for i in items}) == len(items)
    for i in items:
        assert i.name.isascii(), i.name  # the English name has no Chinese left in it
        assert any("\u4e00" <= ch <= "\u9fff" for ch in i.name_zh), i.name_zh
    gtins = [i.gtin for i in items if i.gtin is not None]
    assert len(gtins) == len(set(gtins)) >= 200
    for g in gtins:
        assert len(g) == 13 and g[:3] in {f"69{d}" for d in range(10)}
        assert normalize_gtin(g) == "0" + g  # check digit verified by the catalog's own parser
    assert all(i.gtin is None for i in items if i.loose)


def test_items_cover_every_department_with_plausible_attributes(items) -> None:  # type: ignore[no-untyped-def]
    departments = Counter(i.department for i in items)
    assert set(departments) == {"GROCERY", "FRESH", "PREPARED", "KITCHEN"}
    assert departments["GROCERY"] >= 100 and departments["FRESH"] >= 100
    for i in items:
        assert set(i.allergens) <= set(EU_ALLERGENS)
        assert i.cost_price > 0 and i.cost_price == i.cost_price.quantize(Decimal("0.01"))
        if i.retail_price is not None:
            assert i.cost_price < i.retail_price
        if i.perishable:
            assert i.shelf_life_days is not None
            assert i.shelf_life_days <= 45 or i.storage == "chilled"
    by_key = {i.product_key: i for i in items}
    assert by_key["bento"].shelf_life_days == 1 and by_key["bento"].perishable
    assert by_key["rice-ne"].shelf_life_days == 365 and not by_key["rice-ne"].perishable
    assert "peanuts" in by_key["oil-peanut"].allergens
    assert {i.base_unit for i in items} == {"each", "kg"}


def test_supplier_items_have_complete_terms(items) -> None:  # type: ignore[no-untyped-def]
    offers = build_supplier_items(42, items)
    bought = {i.sku for i in items if i.source == "supplier"}
    assert {o.sku for o in offers if o.primary} == bought  # every bought item has exactly one primary source
    assert len([o for o in offers if o.primary]) == len(bought)
    assert {o.supplier for o in offers} == {s.code for s in SUPPLIERS}
    for o in offers:
        assert o.price > 0 and o.moq >= 1 and o.units_per_case >= 1
        assert 1 <= o.lead_time_days <= 7 and o.order_days
    assert len({(o.supplier, o.supplier_sku) for o in offers}) == len(offers)
    assert any(not o.primary for o in offers)  # some items have a second source


def test_levels_are_consistent_and_formats_differ(items) -> None:  # type: ignore[no-untyped-def]
    levels = build_levels(42, _sites(), items)
    for lv in levels:
        assert (
            check_stock_levels(
                min_qty=lv.min_qty,
                max_qty=lv.max_qty,
                reorder_point=lv.reorder_point,
                safety_stock=lv.safety_stock,
                order_multiple=None,
            )
            == {}
        )
        assert lv.min_qty <= lv.reorder_point <= lv.max_qty
    per_site = Counter(lv.site for lv in levels)
    assert per_site["DC01"] == len(items)  # the DC carries everything
    assert per_site["SH01"] > per_site["SH02"] > per_site["SH03"]  # hypermarket > supermarket > convenience
    conv = {lv.sku for lv in levels if lv.site == "SH03"}
    kinds = {i.department for i in items if i.sku in conv}
    assert "KITCHEN" not in kinds and all(not i.loose for i in items if i.sku in conv)


def test_generation_is_deterministic_per_seed(items) -> None:  # type: ignore[no-untyped-def]
    assert build_items(42) == items
    other = build_items(7)
    assert [i.sku for i in other] == [i.sku for i in items]  # same products, other prices
    assert [i.cost_price for i in other] != [i.cost_price for i in items]
    assert build_levels(42, _sites(), items) == build_levels(42, _sites(), items)


def test_sites_have_real_looking_places_and_hours() -> None:
    stores = [s for s in SITES if s.kind == "store"]
    assert 18 <= len(stores) <= 24
    assert {s.format for s in stores} == {"hypermarket", "supermarket", "convenience", "restaurant"}
    assert [s.kind for s in SITES].count("dc") == 1 and [s.kind for s in SITES].count("kitchen") == 1
    for s in SITES:
        lat, lon = Decimal(s.lat), Decimal(s.lon)
        assert 18 < lat < 54 and 73 < lon < 135  # inside China
        assert s.hours in HOURS
    assert HOURS["24h"]["sun"] == ["00:00-24:00"]
    assert "sat" not in HOURS["office"]

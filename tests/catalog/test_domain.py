"""Pure catalog rules: exact unit conversions, pack rounding, order quantities, price breaks, GTIN check
digits, GS1 element strings and SGTIN-96 EPCs (test vectors computed independently below)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest

from boh.catalog.codes import decode_epc, normalize_gtin, parse_code, parse_scan
from boh.catalog.domain import (
    PriceBreak,
    UnitTable,
    canonical_unit,
    check_price_breaks,
    check_stock_levels,
    normalize_allergens,
    normalize_weekdays,
    order_quantity,
    packs_for,
    plain_decimal,
    price_for,
    round_to_multiple,
    unit_problems,
)
from boh.catalog.errors import FractionalQuantity, InexactConversion, InvalidBarcode, InvalidEpc, UnknownUnit

D = Decimal


# ---------------------------------------------------------------- independent GS1 helpers
def gs1_check_digit(payload: str) -> int:
    """GS1 mod-10: weights 3,1,3... from the right of the payload."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


# SGTIN partition table (GS1 EPC Tag Data Standard, table 14-2): partition -> (prefix bits, prefix digits,
# item-reference bits)
PARTITIONS = {
    0: (40, 12, 4),
    1: (37, 11, 7),
    2: (34, 10, 10),
    3: (30, 9, 14),
    4: (27, 8, 17),
    5: (24, 7, 20),
    6: (20, 6, 24),
}


def encode_sgtin96(gtin14: str, company_prefix_len: int, serial: int, filter_value: int) -> str:
    partition = next(p for p, (_, digits, _) in PARTITIONS.items() if digits == company_prefix_len)
    prefix_bits, _, item_bits = PARTITIONS[partition]
    company_prefix = int(gtin14[1 : 1 + company_prefix_len])
    item_ref = int(gtin14[0] + gtin14[1 + company_prefix_len : 13])  # indicator digit first, check digit dropped
    bits = (
        f"{0x30:08b}{filter_value:03b}{partition:03b}{company_prefix:0{prefix_bits}b}"
        f"{item_ref:0{item_bits}b}{serial:038b}"
    )
    assert len(bits) == 96
    return f"{int(bits, 2):024X}"


# ---------------------------------------------------------------- units
EACH = UnitTable.build("each", {"case": D(12), "pack": D(6)})
KG = UnitTable.build("kg", {"bag": D("2.5"), "third": D("0.333333333")})


def test_to_base_and_from_base_are_exact() -> None:
    assert EACH.to_base(D(2), "case") == 24
    assert EACH.from_base(D(18), "case") == D("1.5")
    assert EACH.convert(D(1), "case", "pack") == 2
    assert KG.to_base(D(250), "g") == D("0.25")  # g is implied for a kg item
    assert KG.from_base(D("0.1"), "g") == 100
    assert KG.to_base(D(3), "bag") == D("7.5")


def test_no_float_drift_where_floats_drift() -> None:
    assert 0.1 * 3 != 0.3  # what float unit maths would do
    assert KG.convert(D("0.1"), "kg", "g") * 3 == KG.convert(D("0.3"), "kg", "g") == 300
    total = sum((KG.to_base(D(100), "g") for _ in range(10)), D(0))
    assert total == 1 and KG.from_base(total, "bag") == D("0.4")


def test_one_third_style_factor_is_exact_or_refused() -> None:
    assert KG.to_base(D(3), "third") == D("0.999999999")  # exactly 3 x the stored factor
    with pytest.raises(InexactConversion):
        KG.from_base(D(1), "third")  # 1 / 0.333333333 has no exact decimal
    triple = UnitTable.build("each", {"tri": D(3)})
    assert triple.from_base(D(6), "tri") == 2
    with pytest.raises(InexactConversion):
        triple.from_base(D(1), "tri")  # 1/3 of a pack is not a decimal: refused, never rounded


def test_whole_base_unit_stays_whole() -> None:
    assert EACH.to_base(D("0.5"), "case") == 6
    with pytest.raises(FractionalQuantity):
        EACH.to_base(D("0.1"), "case")  # 1.2 each
    with pytest.raises(FractionalQuantity):
        EACH.from_base(D("1.5"), "case")
    assert KG.to_base(D("0.1"), "bag") == D("0.25")  # kg is not counted in whole units


def test_unknown_units_are_refused() -> None:
    with pytest.raises(UnknownUnit):
        EACH.to_base(D(1), "kg")
    with pytest.raises(UnknownUnit):
        EACH.convert(D(1), "case", "pallet")
    with pytest.raises(UnknownUnit):
        canonical_unit("not a unit!")


def test_canonical_unit_spelling() -> None:
    assert [canonical_unit(u) for u in ("KG", "l", "ML", "Case", "each")] == ["kg", "L", "mL", "case", "each"]
    assert UnitTable.build("L", {}).to_base(D(330), "ml") == D("0.33")


def test_pack_rounding_is_explicit() -> None:
    assert EACH.packs(D(25), "case", ROUND_CEILING) == 3
    assert EACH.packs(D(25), "case", ROUND_FLOOR) == 2
    assert EACH.packs(D(24), "case", ROUND_CEILING) == EACH.packs(D(24), "case", ROUND_FLOOR) == 2
    assert packs_for(D("12.000001"), D(12), ROUND_CEILING) == 2
    assert packs_for(D(-5), D(12), ROUND_CEILING) == 0
    assert packs_for(D(-5), D(12), ROUND_FLOOR) == -1
    assert round_to_multiple(D(25), D(12), ROUND_CEILING) == 36
    assert round_to_multiple(D(25), D(12), ROUND_FLOOR) == 24
    assert round_to_multiple(D("1.1"), D("0.25")) == D("1.25")
    with pytest.raises(ValueError, match="ROUND_CEILING"):
        packs_for(D(1), D(12), "ROUND_HALF_UP")


def test_order_quantity_applies_moq_and_multiple() -> None:
    assert order_quantity(D(5), moq=D(10), multiple=D(4)) == 12
    assert order_quantity(D(13), moq=D(10), multiple=D(4), rounding=ROUND_FLOOR) == 12
    assert order_quantity(D(9), moq=D(10), multiple=D(4), rounding=ROUND_FLOOR) == 0
    assert order_quantity(D(0), moq=D(10), multiple=D(4)) == 0
    assert order_quantity(D("1.02"), multiple=D(1)) == 2  # never "1.02 cases"
    assert order_quantity(D("2.5"), moq=D(1)) == D("2.5")


def test_price_breaks() -> None:
    ladder = [PriceBreak(D(10), D("9.50")), PriceBreak(D(50), D("9.00"))]
    assert price_for(D(9), D(10), ladder) == 10
    assert price_for(D(10), D(10), ladder) == D("9.50")
    assert price_for(D(75), D(10), ladder) == D("9.00")
    assert check_price_breaks(ladder) == []
    bad = check_price_breaks([PriceBreak(D(10), D(9)), PriceBreak(D(10), D(-1)), PriceBreak(D(0), D(1))])
    assert len(bad) == 4


def test_unit_problems() -> None:
    problems = unit_problems(
        "each", [("case", D(12)), ("each", D(1)), ("case", D(12)), ("half", D("0.5")), ("kg", D(1))]
    )
    assert sorted(problems) == [1, 2, 3, 4]
    assert "whole" in problems[3]
    assert unit_problems("kg", [("g", D("0.001"))]) == {}
    assert "always 0.001" in unit_problems("kg", [("g", D("0.01"))])[0]


def test_allergens_weekdays_levels_plain() -> None:
    assert normalize_allergens(["Milk", "eggs", "milk", " "]) == ["eggs", "milk"]
    with pytest.raises(ValueError, match="chocolate"):
        normalize_allergens(["milk", "chocolate"])
    assert normalize_weekdays(["fri", "Monday", "mon"]) == ["mon", "fri"]
    with pytest.raises(ValueError, match="xyz"):
        normalize_weekdays(["xyz"])
    problems = check_stock_levels(
        min_qty=D(10), max_qty=D(5), reorder_point=D(6), safety_stock=D(-1), order_multiple=D(0)
    )
    assert set(problems) == {"max_qty", "reorder_point", "safety_stock", "order_multiple"}
    assert (
        check_stock_levels(min_qty=D(1), max_qty=D(5), reorder_point=D(2), safety_stock=D(0), order_multiple=D(6)) == {}
    )
    assert [plain_decimal(x) for x in (D("12.000000"), D("0.500"), D("1E+3"), D("-0.0"))] == ["12", "0.5", "1000", "0"]


# ---------------------------------------------------------------- GTIN
@pytest.mark.parametrize("payload", ["9638507", "03600029145", "400638133393", "1061414100041"])
def test_gtin_check_digit(payload: str) -> None:
    good = payload + str(gs1_check_digit(payload))
    assert normalize_gtin(good) == good.zfill(14)
    bad = payload + str((gs1_check_digit(payload) + 1) % 10)
    with pytest.raises(InvalidBarcode, match="check digit"):
        normalize_gtin(bad)


def test_gtin_known_values_and_shapes() -> None:
    assert gs1_check_digit("400638133393") == 1  # EAN-13 4006381333931
    assert normalize_gtin(" 4006381333931 ") == "04006381333931"
    for bad in ("123", "40063813339311234", "4006381A33931", ""):
        with pytest.raises(InvalidBarcode):
            normalize_gtin(bad)


# ---------------------------------------------------------------- GS1 element strings
def test_gs1_128_with_fnc1_and_symbology_identifier() -> None:
    scan = parse_scan("]C101095011010209171719050810ABCD1234\x1d2112345")
    assert (scan.source, scan.gtin, scan.lot, scan.expiry, scan.serial) == (
        "gs1",
        "09501101020917",
        "ABCD1234",
        date(2019, 5, 8),
        "12345",
    )
    assert gs1_check_digit("0950110102091") == 7


def test_gs1_human_readable_form_and_day_zero() -> None:
    scan = parse_scan("(01)09501101020917(15)240200(10)L-7(21)S9")
    assert scan.gtin == "09501101020917" and scan.lot == "L-7" and scan.serial == "S9"
    assert scan.best_before == date(2024, 2, 29) and scan.expiry is None  # day 00: last day of the month


def test_gs1_errors_and_plain_gtin() -> None:
    assert parse_scan("4006381333931").source == "gtin"
    with pytest.raises(InvalidBarcode, match="check digit"):
        parse_scan("0109501101020918")
    with pytest.raises(InvalidBarcode):
        parse_scan("hello")
    assert parse_scan("10LOT42").gtin is None  # a lot alone: no GTIN, caller decides


# ---------------------------------------------------------------- EPC
def test_sgtin96_gs1_tds_example() -> None:
    gtin = "8061414112345" + str(gs1_check_digit("8061414112345"))
    hex_epc = encode_sgtin96(gtin, 7, 6789, filter_value=3)
    assert hex_epc == "3074257BF7194E4000001A85"  # the Tag Data Standard's own example
    epc = decode_epc(hex_epc)
    assert (epc.gtin, epc.serial, epc.uri) == (gtin, "6789", "urn:epc:id:sgtin:0614141.812345.6789")


def test_sgtin96_from_a_chinese_gtin() -> None:
    gtin = "0690123456789" + str(gs1_check_digit("0690123456789"))
    hex_epc = encode_sgtin96(gtin, 7, 12345, filter_value=1)
    assert hex_epc.startswith("30")
    epc = decode_epc(hex_epc.lower())
    assert epc.gtin == gtin == "06901234567892" and epc.serial == "12345"
    assert decode_epc("urn:epc:tag:sgtin-96:1.6901234.056789.12345").gtin == gtin
    assert decode_epc("urn:epc:id:sgtin:6901234.056789.12345").serial == "12345"


def test_non_sgtin_and_garbage_epcs_are_refused() -> None:
    with pytest.raises(InvalidEpc, match="not an SGTIN"):
        decode_epc("3574257BF7194E4000001A85")  # header 0x35: GID-96
    with pytest.raises(InvalidEpc):
        decode_epc("urn:epc:id:sgtin:garbage")
    with pytest.raises(InvalidEpc):
        decode_epc("not-an-epc")


def test_parse_code_dispatches() -> None:
    assert parse_code("3074257BF7194E4000001A85").source == "epc"
    assert parse_code("3074257BF7194E4000001A85").serial == "6789"
    assert parse_code("(01)09501101020917(10)A1").source == "gs1"
    assert parse_code("96385074").gtin == "00000096385074"

"""Events survive the trip through the outbox: encode, then decode, gives the same event back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from boh.kernel.events import Event, canonical_json, decode, encode, known_topics
from boh.org.events import SiteUpdated


@dataclass(frozen=True)
class StockCounted(Event):
    topic = "test.stock_counted"
    site_id: int
    qty: Decimal
    unit_cost: Decimal | None
    counted_at: datetime
    business_day: date
    expires: date | None
    lots: tuple[str, ...]
    by_bin: dict[str, Decimal]
    note: str | None = None


@dataclass(frozen=True)
class _Part:
    n: int
    at: datetime


@dataclass(frozen=True)
class _Nested(Event):
    part: _Part
    changes: tuple[dict[str, Decimal], ...]


def _event() -> StockCounted:
    return StockCounted(
        tenant_id=3,
        site_id=11,
        qty=Decimal("12.000001"),
        unit_cost=Decimal("0.1"),
        counted_at=datetime(2026, 5, 4, 3, 2, 1, 654321, tzinfo=UTC),
        business_day=date(2026, 5, 4),
        expires=None,
        lots=("L1", "L2"),
        by_bin={"A-1": Decimal("10"), "B-2": Decimal("2.000001")},
        note="门店盘点",
    )


def test_round_trip_is_exact() -> None:
    ev = _event()
    back = decode(ev.topic, encode(ev))
    assert back == ev
    assert isinstance(back, StockCounted)
    assert isinstance(back.qty, Decimal) and str(back.qty) == "12.000001"
    assert back.counted_at.tzinfo is not None
    assert isinstance(back.lots, tuple)


def test_payload_keeps_decimals_as_strings_not_floats() -> None:
    payload = encode(_event())
    assert '"qty":"12.000001"' in payload
    assert '"unit_cost":"0.1"' in payload
    assert '"counted_at":"2026-05-04T03:02:01.654321+00:00"' in payload
    assert "门店盘点" in payload  # not \\u-escaped


def test_non_utc_datetimes_keep_their_instant() -> None:
    local = datetime(2026, 5, 4, 11, 0, tzinfo=timezone(timedelta(hours=8)))
    ev = StockCounted(
        tenant_id=1, site_id=1, qty=Decimal(1), unit_cost=None, counted_at=local, business_day=date(2026, 5, 4),
        expires=date(2026, 6, 1), lots=(), by_bin={},
    )  # fmt: skip
    back = decode(ev.topic, encode(ev))
    assert back == ev and back.counted_at == datetime(2026, 5, 4, 3, 0, tzinfo=UTC)
    assert isinstance(back, StockCounted) and back.expires == date(2026, 6, 1)


def test_domain_event_with_tuple_field_round_trips() -> None:
    ev = SiteUpdated(tenant_id=1, site_id=2, changed=("name", "city"))
    back = decode(ev.topic, encode(ev))
    assert back == ev
    assert hash(back) == hash(ev)


def test_canonical_json_is_deterministic() -> None:
    a = canonical_json({"b": 1, "a": [Decimal("1.10"), frozenset({"y", "x", "z"})]})
    b = canonical_json({"a": [Decimal("1.10"), frozenset({"z", "x", "y"})], "b": 1})
    assert a == b == '{"a":["1.10",["x","y","z"]],"b":1}'


def test_floats_and_unknown_objects_are_not_silently_encoded() -> None:
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_topics_are_registered() -> None:
    assert "test.stock_counted" in known_topics()
    assert "org.site_updated" in known_topics()
    with pytest.raises(KeyError):
        decode("no.such_topic", "{}")


def test_encode_reads_fields_shallowly_and_encodes_nested_dataclasses() -> None:
    """encode() no longer deep-copies (asdict): nested dataclasses still encode, and the event's own
    containers are left as they were."""
    changes = ({"k": Decimal("1.50")},)
    ev = _Nested(tenant_id=1, part=_Part(2, datetime(2026, 1, 2, 3, 4, tzinfo=UTC)), changes=changes)
    payload = json.loads(encode(ev))
    assert payload["part"] == {"n": 2, "at": "2026-01-02T03:04:00+00:00"}
    assert payload["changes"] == [{"k": "1.50"}]
    assert ev.changes is changes and changes[0] == {"k": Decimal("1.50")}

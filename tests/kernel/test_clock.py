"""The injectable clock: real UTC time by default, frozen and advanced by tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from boh.kernel.clock import Clock, clock, utcnow

T0 = datetime(2001, 1, 15, 8, 0, tzinfo=UTC)  # long past: real time is always later


@pytest.fixture
def c() -> Iterator[Clock]:
    yield Clock()


def test_unfrozen_clock_is_aware_utc_and_moves(c: Clock) -> None:
    before = datetime.now(UTC)
    now = c.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_freeze_and_advance(c: Clock) -> None:
    c.freeze(T0)
    assert c.now() == T0
    assert c.now() == T0  # frozen: does not move by itself
    c.advance(timedelta(minutes=16))
    assert c.now() == T0 + timedelta(minutes=16)
    c.unfreeze()
    assert c.now() > T0 + timedelta(days=1)


def test_freeze_converts_to_utc(c: Clock) -> None:
    c.freeze(datetime(2001, 1, 15, 16, 0, tzinfo=timezone(timedelta(hours=8))))
    assert c.now() == T0
    assert c.now().tzinfo == UTC


def test_naive_datetimes_are_refused(c: Clock) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        c.freeze(datetime(2026, 1, 15, 8, 0))
    assert c.now().tzinfo is not None  # still running on real time


def test_advance_needs_a_frozen_clock(c: Clock) -> None:
    with pytest.raises(RuntimeError):
        c.advance(timedelta(seconds=1))


def test_frozen_context_restores_the_previous_state(c: Clock) -> None:
    c.freeze(T0)
    with c.frozen(T0 + timedelta(hours=1)) as inner:
        assert inner.now() == T0 + timedelta(hours=1)
    assert c.now() == T0
    c.unfreeze()
    with pytest.raises(KeyError), c.frozen(T0):
        raise KeyError("boom")
    assert c.now() > T0 + timedelta(days=1)  # unfrozen again even after an error


def test_utcnow_follows_the_global_clock() -> None:
    try:
        clock.freeze(T0)
        assert utcnow() == T0
    finally:
        clock.unfreeze()
    assert utcnow() > T0

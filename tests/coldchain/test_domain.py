"""The excursion detector (pure): minimum duration, hysteresis, defrost and door suppression, dropouts, and
order-independence (hypothesis, bounded)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from boh.coldchain.domain import Limits, detect

T0 = datetime(2026, 12, 1, tzinfo=UTC)
FRIDGE = Limits(limit=500, hysteresis=100, min_duration_s=900, door_grace_s=600, door_max_s=600, dropout_s=900)


def series(values: list[float], start: datetime = T0) -> list[tuple[datetime, int]]:
    return [(start + timedelta(minutes=i), round(v * 100)) for i, v in enumerate(values)]


def test_short_rise_does_not_alarm_and_long_one_alarms_once() -> None:
    short = series([3] * 10 + [7] * 10 + [3] * 10)
    assert detect(short, [], FRIDGE).excursions == []
    long = series([3] * 10 + [7] * 30 + [3] * 10)
    found = detect(long, [], FRIDGE).excursions
    assert len(found) == 1
    f = found[0]
    assert f.started_at == T0 + timedelta(minutes=10)
    assert f.alarmed_at == T0 + timedelta(minutes=25)  # after 15 minutes beyond the limit
    assert f.ended_at == T0 + timedelta(minutes=40)
    assert f.peak == 700 and f.minutes_beyond == 30


def test_hysteresis_keeps_one_excursion_while_hovering_at_the_limit() -> None:
    hover = [7] * 20 + [4.5, 5.5] * 10 + [7] * 5 + [3.9] * 5  # 4.5 is not back by 1 °C: still the same excursion
    found = detect(series(hover), [], FRIDGE).excursions
    assert len(found) == 1
    assert found[0].ended_at == T0 + timedelta(minutes=45)


def test_defrost_window_suppresses_and_a_failed_defrost_still_alarms() -> None:
    lim = Limits(limit=500, defrost=((0, 30),), defrost_recovery_s=1200)  # 00:00-00:30 UTC, 20 min recovery
    defrost = series([9] * 40 + [3] * 10)  # warm until 00:40: inside defrost + recovery (00:50)
    assert detect(defrost, [], lim).excursions == []
    failed = series([9] * 80 + [3] * 5)  # still warm after recovery: counts from 00:50, alarms at 01:05
    found = detect(failed, [], lim).excursions
    assert len(found) == 1 and found[0].alarmed_at == T0 + timedelta(minutes=65)
    assert found[0].started_at == T0  # the excursion itself began with the first warm reading


def test_short_door_opening_is_suppressed_but_a_long_one_is_not() -> None:
    temps = series([3] * 5 + [8] * 18 + [3] * 5)  # warm 00:05-00:23
    short_door = [(T0 + timedelta(minutes=5), 100), (T0 + timedelta(minutes=8), 0)]  # suppressed to 00:18
    assert detect(temps, short_door, FRIDGE).excursions == []
    long_door = [(T0 + timedelta(minutes=5), 100)]  # never closed: short no longer after 10 min (+10 grace)
    still_warm = series([3] * 5 + [8] * 60 + [3] * 5)
    found = detect(still_warm, long_door, FRIDGE).excursions
    assert len(found) == 1 and found[0].alarmed_at == T0 + timedelta(minutes=40)


def test_dropout_is_reported_and_gaps_are_not_evidence() -> None:
    temps = series([3] * 10) + series([3] * 10, T0 + timedelta(minutes=40))
    d = detect(temps, [], FRIDGE)
    assert [(g.started_at, g.ended_at) for g in d.gaps] == [(T0 + timedelta(minutes=9), T0 + timedelta(minutes=40))]
    # two 10-minute warm stretches around a gap: neither is 15 contiguous minutes
    warm = series([7] * 10) + series([7] * 10 + [3], T0 + timedelta(minutes=30))
    assert detect(warm, [], FRIDGE).excursions == []


def test_hot_holding_alarms_below_its_limit() -> None:
    hot = Limits(limit=5700, direction="min", hysteresis=100)
    found = detect(series([65] * 5 + [50] * 20 + [65] * 3), [], hot).excursions
    assert len(found) == 1 and found[0].peak == 5000


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]:
    n = draw(st.integers(20, 160))
    temps, doors = [], []
    level = draw(st.integers(0, 900))
    door_open = False
    for i in range(n):
        level = max(-500, min(1500, level + draw(st.integers(-150, 150))))
        if draw(st.integers(0, 30)) == 0:
            continue  # a missing reading
        at = T0 + timedelta(minutes=i)
        temps.append((at, level))
        if draw(st.integers(0, 15)) == 0:
            door_open = not door_open
            doors.append((at, 100 if door_open else 0))
    return temps, doors


@settings(max_examples=60, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_alarms_on_part_of_the_readings_are_alarms_on_all_of_them(
    h: tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]], rnd: random.Random
) -> None:
    """What the reconciliation relies on: whatever subset of the temperature readings has arrived (late or
    lost on the way), each alarm found on it overlaps an alarm found on all of them, so an alert raised early is
    never one that the complete readings would not raise. (Door events are taken as arrived: a late door
    opening can only suppress, i.e. withdraw, an alarm; the row raised stays, one alert.)"""
    temps, doors = h
    full = detect(temps, doors, FRIDGE).excursions
    kept = sorted(rnd.sample(range(len(temps)), rnd.randint(0, len(temps))))
    part = detect([temps[i] for i in kept], doors, FRIDGE).excursions
    far = T0 + timedelta(days=1)
    for p in part:
        assert any(f.started_at <= (p.ended_at or far) and p.started_at <= (f.ended_at or far) for f in full), p

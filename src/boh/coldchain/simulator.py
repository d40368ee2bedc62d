"""A seeded simulator of refrigeration units for the benchmark, the demo and tests: 1-minute temperature
readings with sensor noise, scheduled defrost cycles (the coil warms the air for a while), door openings (a
short rise that recovers), sensor dropouts (no readings for a while) and real excursions (a failing
compressor, a door left ajar: the temperature climbs beyond the limit and stays there), each labelled, so a
detector can be scored against the truth."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DEFROST = ((2 * 60, 30), (14 * 60, 30))  # 02:00 and 14:00 UTC, 30 minutes
_WARMUP, _FADE = 6, 8  # minutes for an excursion to climb and to come back


@dataclass
class SimUnit:
    code: str  # also the temperature sensor's code prefix
    kind: str  # fridge | freezer
    base: float
    limit: float
    excursions: list[tuple[int, int, float]] = field(default_factory=list)  # (start minute, minutes, peak)
    dropouts: list[tuple[int, int]] = field(default_factory=list)  # (start minute, minutes)
    doors: list[tuple[int, int]] = field(default_factory=list)  # (start minute, minutes open), sorted
    humidity: float | None = None  # base relative humidity in % (None: no humidity sensor)
    humid_excursions: list[tuple[int, int, float]] = field(default_factory=list)  # (start minute, minutes, peak %)

    @property
    def temp_sensor(self) -> str:
        return f"{self.code}-T"

    @property
    def door_sensor(self) -> str:
        return f"{self.code}-D"

    @property
    def humidity_sensor(self) -> str:
        return f"{self.code}-H"


_DOOR_REACH = 4 + 10  # the longest planned opening and its recovery (minutes)


def _excursion_level(base: float, start: int, length: int, peak: float, minute: int, noise: float) -> float:
    """An excursion's value at ``minute``: a ramp from the unit's base to the peak over _WARMUP minutes, the
    peak (with sensor noise) until it ends, then back to the base over _FADE minutes."""
    if minute < start + _WARMUP:
        return base + (peak - base) * (minute - start + 1) / _WARMUP
    if minute < start + length:
        return peak + noise
    return peak - (peak - base) * (minute - start - length + 1) / _FADE


def _near(doors: list[tuple[int, int]], minute: int) -> list[tuple[int, int]]:
    """The door openings (sorted by start) that can touch ``minute``: a bisect, not a scan of every
    opening of the run (which made the simulator slower per minute the more days it ran)."""
    lo = bisect.bisect_left(doors, (minute - _DOOR_REACH, -1))
    hi = bisect.bisect_right(doors, (minute, 1 << 30))
    return doors[lo:hi]


def _in_defrost(tod: int, margin: int = 0) -> bool:
    tod %= 1440
    return any(start - margin <= tod < start + length + 20 + margin for start, length in DEFROST)


class Simulator:
    """``units`` units over ``days`` days from ``start`` (defrost at 02:00 and 14:00 UTC)."""

    def __init__(self, seed: int, *, units: int, days: int, start: datetime, excursions_per_unit: int = 2,
                 dropouts_per_unit: int = 1, doors_per_day: int = 12, prefix: str = "SIM") -> None:  # fmt: skip
        self.rnd = random.Random(seed)
        self.start, self.minutes = start, days * 1440
        self.offset = start.hour * 60 + start.minute  # minute 0's minute of the (UTC) day
        self.units = [self._unit(f"{prefix}{n:03d}", n) for n in range(units)]
        for u in self.units:
            self._plan(u, excursions_per_unit, dropouts_per_unit, doors_per_day * days)

    def _unit(self, code: str, n: int) -> SimUnit:
        if n % 3 == 2:
            return SimUnit(code, "freezer", base=-21.0, limit=-18.0)
        return SimUnit(code, "fridge", base=3.0, limit=5.0)

    def _free(self, u: SimUnit, start: int, length: int, margin: int = 90) -> bool:
        if start < 120 or start + length + margin >= self.minutes:
            return False
        if any(_in_defrost(self.offset + m, margin) for m in range(start, start + length + _FADE, 15)):
            return False
        busy = [(s, s + n + _FADE) for s, n, _p in u.excursions] + [(s, s + n) for s, n in u.dropouts]
        return all(start + length + margin < s or start > e + margin for s, e in busy)

    def _plan(self, u: SimUnit, excursions: int, dropouts: int, doors: int) -> None:
        rise = 6.0 if u.kind == "fridge" else 8.0
        while len(u.excursions) < excursions:
            s, n = self.rnd.randrange(self.minutes), self.rnd.randint(30, 180)
            if self._free(u, s, n):
                u.excursions.append((s, n, u.limit + rise * (0.5 + self.rnd.random())))
        while len(u.dropouts) < dropouts:
            s, n = self.rnd.randrange(self.minutes), self.rnd.randint(25, 120)
            if self._free(u, s, n):
                u.dropouts.append((s, n))
        for _ in range(doors):
            s, n = self.rnd.randrange(self.minutes), self.rnd.randint(1, 4)
            if self._free(u, s, n + 12, margin=10):
                u.doors.append((s, n))
        u.excursions.sort()
        u.dropouts.sort()
        u.doors.sort()

    def labels(self) -> list[tuple[str, datetime, datetime]]:
        """The real excursions: (unit code, first minute beyond the limit, last minute beyond it)."""
        out = []
        for u in self.units:
            for s, n, _p in u.excursions:
                out.append((u.code, self.at(s + _WARMUP // 2), self.at(s + n + _FADE // 2)))
        return out

    def dropout_labels(self) -> list[tuple[str, datetime, datetime]]:
        return [(u.code, self.at(s), self.at(s + n)) for u in self.units for s, n in u.dropouts]

    def at(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)

    def temperature(self, u: SimUnit, minute: int, noise: float) -> float:
        t = u.base + noise
        tod = (self.offset + minute) % 1440
        for start, length in DEFROST:  # the coil warms the air, then the unit pulls it down again
            k = tod - start
            if 0 <= k < length:
                t += (8.0 if u.kind == "fridge" else 12.0) * min(1.0, k / 10)
            elif length <= k < length + 18:
                t += (8.0 if u.kind == "fridge" else 12.0) * math.exp(-(k - length) / 4)
        for s, n in _near(u.doors, minute):
            if s <= minute < s + n:
                t += 2.0 + (minute - s) * 1.2
            elif s + n <= minute < s + n + 10:
                t += (2.0 + n * 1.2) * math.exp(-(minute - s - n) / 2)
        for s, n, peak in u.excursions:
            if s <= minute < s + n + _FADE:
                t = max(t, _excursion_level(u.base, s, n, peak, minute, noise))
        return round(t, 2)

    def humidity(self, u: SimUnit, minute: int, noise: float) -> float:
        """Relative humidity in %: the unit's base with sensor noise; defrost melts the ice on the coil (the
        air gets more humid, then dries again as the coil pulls the water out), an open door lets room air in
        (drier than a cooler's), and a humidity excursion (a blocked drain, a wet load) climbs to its peak."""
        assert u.humidity is not None
        h = u.humidity + noise * 2
        tod = (self.offset + minute) % 1440
        for start, length in DEFROST:
            k = tod - start
            if 0 <= k < length:
                h += 3.5 * min(1.0, k / 10)
            elif length <= k < length + 18:
                h += 3.5 * math.exp(-(k - length) / 5)
        for s, n in _near(u.doors, minute):
            if s <= minute < s + n + 10:
                h -= 4.0 * (1.0 if minute < s + n else math.exp(-(minute - s - n) / 3))
        for s, n, peak in u.humid_excursions:
            if s <= minute < s + n + _FADE:
                h = max(h, _excursion_level(u.humidity, s, n, peak, minute, noise))
        return round(max(0.0, min(100.0, h)), 1)

    def minutes_of(self, first: int, last: int) -> Iterator[list[dict[str, Any]]]:
        """Each minute's readings, from minute ``first`` to ``last`` (exclusive), all units."""
        for minute in range(first, last):
            batch: list[dict[str, Any]] = []
            at = self.at(minute).isoformat()
            for u in self.units:
                noise = self.rnd.gauss(0, 0.25)
                if any(s <= minute < s + n for s, n in u.dropouts):
                    continue
                value = self.temperature(u, minute, max(-0.8, min(0.8, noise)))
                batch.append({"reading_id": f"{u.temp_sensor}-{minute}", "sensor": u.temp_sensor, "at": at,
                              "value": value})  # fmt: skip
                if u.humidity is not None:  # its own noise draw only for units with a humidity sensor
                    h = self.humidity(u, minute, max(-0.8, min(0.8, self.rnd.gauss(0, 0.3))))
                    batch.append({"reading_id": f"{u.humidity_sensor}-{minute}", "sensor": u.humidity_sensor, "at": at,
                                  "value": h})  # fmt: skip
                for s, n in _near(u.doors, minute):
                    if minute in (s, s + n):
                        batch.append({"reading_id": f"{u.door_sensor}-{minute}", "sensor": u.door_sensor, "at": at,
                                      "value": 1 if minute == s else 0})  # fmt: skip
            yield batch

"""Pure rules of the cold chain (no I/O): the HACCP limits by kind of unit and the excursion detector.

The detector reads one unit's temperature readings (hundredths of °C) and its door readings, in time order,
and finds:

- **runs**: from a reading beyond the limit (above it for a fridge or freezer, below it for hot holding) to
  the first reading back on the safe side by the hysteresis (``limit - hysteresis`` for a fridge), so a
  temperature hovering at the limit does not open and close an excursion every minute;
- **alarms**: a run alarms when it holds a *contiguous* stretch of *counting* readings at least
  ``min_duration_s`` long that starts beyond the limit. Contiguous: consecutive readings at most
  ``reading_gap_s`` apart (a gap is not evidence either way). Counting: not suppressed, i.e. outside the
  scheduled defrost windows (plus their recovery time) and outside a short door opening (from opening to
  ``door_grace_s`` after closing; an opening longer than ``door_max_s`` stops being short at that point);
- **time beyond the limit**: each reading beyond the limit counts until the next reading (at most
  ``dropout_s``), the basis of a lot's cumulative exposure;
- **dropouts**: consecutive readings more than ``dropout_s`` apart: reported as such, never as "all fine".

Humidity is judged the same way on the humidity readings, against a maximum and/or a minimum relative
humidity (``humidity_limits``), each direction on its own.

The result depends only on the set of readings, not on the order they arrived in, so re-running it after a
redelivered or late reading finds the same excursions. While readings are missing the contiguity rule keeps
an alarm from being raised on partial evidence: with readings on a regular grid (``reading_gap_s`` under two
intervals), every alarm found on part of the readings is also found on all of them (a property test holds
this), so the reconciliation (``service/detect.py``) raises at most one alert per excursion.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

KINDS = ("fridge", "freezer", "hot_holding", "vehicle")
SENSOR_KINDS = ("temperature", "humidity", "door")
# HACCP practice: chilled food at or below 5 °C, frozen at or below -18 °C, hot holding at or above 57 °C
DEFAULTS: dict[str, dict[str, object]] = {
    "fridge": {"storage_class": "chilled", "limit_c": Decimal(5), "direction": "max", "tt_limit_min": 120},
    "freezer": {"storage_class": "frozen", "limit_c": Decimal(-18), "direction": "max", "tt_limit_min": 240},
    "hot_holding": {"storage_class": "hot", "limit_c": Decimal(57), "direction": "min", "tt_limit_min": 120},
    "vehicle": {"storage_class": "chilled", "limit_c": Decimal(5), "direction": "max", "tt_limit_min": 120},
}
RANGES = {"temperature": (-6000, 15000), "humidity": (0, 10000), "door": (0, 100)}  # hundredths


def centi(value: Decimal | float | int) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def from_centi(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Limits:
    limit: int  # hundredths of °C
    direction: str = "max"
    hysteresis: int = 100
    min_duration_s: int = 900
    door_grace_s: int = 600
    door_max_s: int = 600
    dropout_s: int = 900
    reading_gap_s: int = 90
    defrost: tuple[tuple[int, int], ...] = ()  # (start minute of the local day, minutes)
    defrost_recovery_s: int = 1200
    timezone: str = "UTC"

    @property
    def lookback(self) -> timedelta:
        """How far before a new reading the detector must look to judge it the same as with all readings."""
        return timedelta(seconds=self.door_max_s + self.door_grace_s + self.min_duration_s + self.dropout_s)

    def beyond(self, v: int) -> bool:
        return v > self.limit if self.direction == "max" else v < self.limit

    def clear(self, v: int) -> bool:
        return v <= self.limit - self.hysteresis if self.direction == "max" else v >= self.limit + self.hysteresis


@dataclass(frozen=True)
class Found:
    started_at: datetime
    alarmed_at: datetime
    ended_at: datetime | None  # None: no reading back on the safe side yet
    peak: int
    seconds_beyond: int

    @property
    def minutes_beyond(self) -> int:
        return self.seconds_beyond // 60


@dataclass(frozen=True)
class Gap:
    started_at: datetime  # the last reading before it
    ended_at: datetime  # the first reading after it


@dataclass
class Detection:
    excursions: list[Found] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


class _Suppression:
    """Is a moment suppressed (a defrost window with its recovery, or a short door opening)?"""

    def __init__(self, lim: Limits, doors: Sequence[tuple[datetime, int]]) -> None:
        self.lim = lim
        self.zone = ZoneInfo(lim.timezone)
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        grace, longest = timedelta(seconds=lim.door_grace_s), timedelta(seconds=lim.door_max_s)
        opened: datetime | None = None
        for at, value in doors:
            if value >= 50 and opened is None:
                opened = at
            elif value < 50 and opened is not None:
                self._add(opened, min(at, opened + longest) + grace)
                opened = None
        if opened is not None:
            self._add(opened, opened + longest + grace)

    def _add(self, start: datetime, end: datetime) -> None:
        if self.ends and start <= self.ends[-1]:
            self.ends[-1] = max(self.ends[-1], end)
        else:
            self.starts.append(start)
            self.ends.append(end)

    def __call__(self, at: datetime) -> bool:
        i = bisect_right(self.starts, at) - 1
        if i >= 0 and at < self.ends[i]:
            return True
        if not self.lim.defrost:
            return False
        local = at.astimezone(self.zone)
        second = local.hour * 3600 + local.minute * 60 + local.second
        for start_min, minutes in self.lim.defrost:
            if (second - start_min * 60) % 86400 < minutes * 60 + self.lim.defrost_recovery_s:
                return True
        return False


def detect(temps: Sequence[tuple[datetime, int]], doors: Sequence[tuple[datetime, int]], lim: Limits) -> Detection:
    """The alarmed excursions and the dropouts in one unit's readings (each list in time order)."""
    out = Detection()
    suppressed = _Suppression(lim, doors)
    gap_max, dropout = timedelta(seconds=lim.reading_gap_s), timedelta(seconds=lim.dropout_s)
    run_start: datetime | None = None
    alarmed: datetime | None = None
    peak = beyond_s = 0
    stretch: datetime | None = None  # the start of the current contiguous counting stretch
    prev: tuple[datetime, int] | None = None
    for at, v in temps:
        if prev is not None:
            step = at - prev[0]
            if step > dropout:
                out.gaps.append(Gap(prev[0], at))
            if run_start is not None and lim.beyond(prev[1]):
                beyond_s += int(min(step, dropout).total_seconds())
            if step > gap_max:
                stretch = None
        if run_start is None:
            if lim.beyond(v):
                run_start, alarmed, peak, beyond_s, stretch = at, None, v, 0, None
        elif lim.clear(v):
            if alarmed is not None:
                out.excursions.append(Found(run_start, alarmed, at, peak, beyond_s))
            run_start = stretch = None
        if run_start is not None:
            peak = max(peak, v) if lim.direction == "max" else min(peak, v)
            if suppressed(at):
                stretch = None
            elif stretch is None:
                stretch = at if lim.beyond(v) else None
            if alarmed is None and stretch is not None and (at - stretch).total_seconds() >= lim.min_duration_s:
                alarmed = at
        prev = (at, v)
    if run_start is not None and alarmed is not None:
        out.excursions.append(Found(run_start, alarmed, None, peak, beyond_s))
    return out


def humidity_limits(lim: Limits, low: int | None, high: int | None, hysteresis: int) -> list[Limits]:
    """The unit's temperature limits turned into its humidity limits (hundredths of % RH): one for too damp
    (above ``high``) and one for too dry (below ``low``), with the same duration, door and defrost rules."""
    out = []
    if high is not None:
        out.append(replace(lim, limit=high, direction="max", hysteresis=hysteresis))
    if low is not None:
        out.append(replace(lim, limit=low, direction="min", hysteresis=hysteresis))
    return out


def parse_defrost(windows: Sequence[dict[str, object]]) -> tuple[tuple[int, int], ...]:
    """``[{"start": "HH:MM", "minutes": 30}]`` as (start minute of the day, minutes)."""
    out = []
    for w in windows:
        hh, mm = str(w["start"]).split(":")
        out.append((int(hh) * 60 + int(mm), int(str(w["minutes"]))))
    return tuple(out)

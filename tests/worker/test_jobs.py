"""Schedules and the job registry (pure, no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from boh.worker.builtin import build_registry
from boh.worker.jobs import Daily, Every, JobRegistry, UnknownJob


def _noop(runtime: Any) -> None:
    return None


def test_every_runs_at_once_then_every_n_seconds() -> None:
    at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    s = Every(300)
    assert s.first_after(at) == at
    assert s.next_after(at) == at + timedelta(seconds=300)
    assert s.spec == "every 300s"
    with pytest.raises(ValueError, match="at least 1 second"):
        Every(0)


def test_daily_uses_the_wall_clock_of_its_timezone() -> None:
    s = Daily("02:00", "Asia/Shanghai")  # UTC+8: 02:00 local is 18:00 UTC the day before
    assert s.next_after(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) == datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    assert s.next_after(datetime(2026, 1, 1, 18, 0, tzinfo=UTC)) == datetime(2026, 1, 2, 18, 0, tzinfo=UTC)
    assert s.first_after(datetime(2026, 1, 1, 17, 59, tzinfo=UTC)) == datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    assert s.spec == "daily 02:00 Asia/Shanghai"


def test_daily_across_daylight_saving_changes() -> None:
    paris = Daily("09:00", "Europe/Paris")
    # winter UTC+1, summer UTC+2 (clocks go forward on 2026-03-29)
    assert paris.next_after(datetime(2026, 3, 28, 9, 0, tzinfo=UTC)) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert paris.next_after(datetime(2026, 3, 27, 9, 0, tzinfo=UTC)) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    gap = Daily("02:30", "Europe/Paris")  # 02:30 does not exist on 2026-03-29: runs at 03:30 summer time
    assert gap.next_after(datetime(2026, 3, 28, 23, 0, tzinfo=UTC)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "tz", "message"),
    [
        ("24:00", "UTC", "HH:MM"),
        ("9:00", "UTC", "HH:MM"),
        ("09:60", "UTC", "HH:MM"),
        ("09:00", "Mars/Olympus", "unknown timezone"),
    ],
)
def test_daily_refuses_bad_times_and_zones(at: str, tz: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Daily(at, tz)


def test_registry_is_explicit_and_refuses_duplicates() -> None:
    reg = JobRegistry()
    reg.register("b.job", _noop, schedule=Every(60))
    reg.register("a.job", _noop)
    assert [j.name for j in reg] == ["a.job", "b.job"]
    assert [j.name for j in reg.scheduled()] == ["b.job"]
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a.job", _noop)
    with pytest.raises(UnknownJob, match=re.escape("no job named 'c.job'; known: a.job, b.job")):
        reg.get("c.job")
    with pytest.raises(ValueError, match="lease must be positive"):
        reg.register("c.job", _noop, lease=timedelta(0))
    assert "c.job" not in reg


def test_application_registry_has_the_builtin_jobs() -> None:
    reg = build_registry()
    names = ["audit.checkpoint", "audit.verify", "catalog.certificate_expiry", "coldchain.dropouts",
             "forecasting.queued", "forecasting.run", "inspections.actions.escalate", "inventory.reservations.expire",
             "outbox.cleanup", "outbox.relay", "replenishment.escalate", "replenishment.nightly",
             "replenishment.queued"]  # fmt: skip
    assert [j.name for j in reg] == names
    assert reg.get("catalog.certificate_expiry").schedule == Daily("06:00", "UTC")
    assert reg.get("forecasting.run").schedule == Daily("02:30", "UTC")
    assert reg.get("forecasting.queued").schedule == Every(10)
    assert reg.get("inspections.actions.escalate").schedule == Daily("03:00", "UTC")
    assert reg.get("inventory.reservations.expire").schedule == Every(60)
    assert reg.get("audit.verify").schedule == Daily("04:00", "UTC")
    assert reg.get("audit.checkpoint").schedule == Every(900)
    assert reg.get("outbox.cleanup").kwargs == {"older_than_days": 30}
    assert reg.get("outbox.relay").schedule is None

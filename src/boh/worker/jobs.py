"""The job registry and schedules.

Jobs are registered explicitly (no decorators, no import-time magic)::

    registry = JobRegistry()
    registry.register("audit.verify", verify_audit_chains, schedule=Daily("04:00", "UTC"))

A job is ``fn(runtime, **kwargs)``: idempotent (a slot may be re-run after a crash), committing per
batch, and returning a JSON-able summary (or None) that is kept in ``worker_job_run.result``. To fail
with a result (not a crash), raise ``JobFailed(message, result=...)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from boh.kernel.outbox import EventBus
from boh.kernel.uow import UnitOfWork
from boh.settings import Settings


class WorkerRuntime(Protocol):
    """What jobs and the worker need from ``boh.bootstrap.Runtime`` (the worker does not import it)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def session_factory(self) -> sessionmaker[Session]: ...

    @property
    def bus(self) -> EventBus: ...

    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork: ...


JobFn = Callable[..., Any]


class JobFailed(Exception):
    """A job ends as failed with a message and a result (for example: an audit chain is broken)."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Every:
    """Every N seconds, counted from the end of the previous run. The first run is due at once."""

    seconds: int

    def __post_init__(self) -> None:
        if self.seconds < 1:
            raise ValueError("Every(seconds) needs at least 1 second")

    @property
    def spec(self) -> str:
        return f"every {self.seconds}s"

    def first_after(self, moment: datetime) -> datetime:
        return moment

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Daily:
    """Every day at HH:MM wall-clock time in a timezone (IANA name). Missed days are run once."""

    at: str
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if not _HHMM.match(self.at):
            raise ValueError(f"Daily(at) must be HH:MM (00:00-23:59), got {self.at!r}")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {self.tz!r}") from exc

    @property
    def spec(self) -> str:
        return f"daily {self.at} {self.tz}"

    def first_after(self, moment: datetime) -> datetime:
        return self.next_after(moment)

    def next_after(self, moment: datetime) -> datetime:
        """The first HH:MM local time strictly after ``moment``, in UTC.

        A time that does not exist on a spring-forward day runs at the same offset as before the change
        (02:30 becomes 03:30 summer time); an ambiguous one on a fall-back day runs at its first occurrence.
        """
        zone = ZoneInfo(self.tz)
        hour, minute = (int(p) for p in self.at.split(":"))
        local_day = moment.astimezone(zone).date()
        for offset in range(3):
            day = local_day + timedelta(days=offset)
            candidate = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
            if candidate > moment:
                return candidate
        raise AssertionError("unreachable: a daily slot exists within 3 days")


Schedule = Every | Daily


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFn
    schedule: Schedule | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)  # arguments of scheduled runs
    lease: timedelta = timedelta(hours=1)  # longest expected run; another worker may take over after it

    @property
    def description(self) -> str:
        doc = (self.fn.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


class UnknownJob(LookupError):
    pass


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def register(
        self,
        name: str,
        fn: JobFn,
        *,
        schedule: Schedule | None = None,
        kwargs: dict[str, Any] | None = None,
        lease: timedelta = timedelta(hours=1),
    ) -> Job:
        if name in self._jobs:
            raise ValueError(f"job {name!r} is already registered")
        if lease <= timedelta(0):
            raise ValueError("a job's lease must be positive")
        job = Job(name, fn, schedule, dict(kwargs or {}), lease)
        self._jobs[name] = job
        return job

    def get(self, name: str) -> Job:
        try:
            return self._jobs[name]
        except KeyError:
            raise UnknownJob(f"no job named {name!r}; known: {', '.join(sorted(self._jobs))}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def __iter__(self) -> Iterator[Job]:
        return iter(sorted(self._jobs.values(), key=lambda j: j.name))

    def scheduled(self) -> list[Job]:
        return [j for j in self if j.schedule is not None]

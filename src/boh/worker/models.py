"""Tables of the worker: schedule state (one row per scheduled job) and the history of job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId


class WorkerSchedule(Base):
    """The next slot of a scheduled job and the lease of the worker running it.

    A worker runs a slot only after winning ``UPDATE ... WHERE next_run_at <= now AND lease expired``
    (rowcount 1), so two workers never run the same slot. ``lease_owner`` fences the finish: a worker
    whose lease expired cannot overwrite the state written by the one that took over.
    """

    __tablename__ = "worker_schedule"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    spec: Mapped[str] = mapped_column(String(120))  # "every 300s" | "daily 03:30 Asia/Shanghai"
    next_run_at: Mapped[datetime] = mapped_column()
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str | None] = mapped_column(String(12))  # ok | failed
    last_error: Mapped[str | None] = mapped_column(Text)
    running_until: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(64))


class WorkerJobRun(Base):
    """One run of a job: queued (broker mode), running, then ok or failed with its error and result."""

    __tablename__ = "worker_job_run"
    __table_args__ = (Index("ix_worker_job_run_name_queued", "name", "queued_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(12))  # schedule | manual
    status: Mapped[str] = mapped_column(String(12))  # queued | running | ok | failed
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)

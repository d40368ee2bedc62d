"""A throw-away database for a benchmark: a SQLite file in a temporary folder, or a new PostgreSQL database
(tagged with the benchmark's application_name, so bench/cpu.py can measure its backends) dropped afterwards."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

PG = os.environ.get("BOH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_execute(sql: str) -> None:
    admin = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(sql))
    admin.dispose()


def create(backend: str, tmp: Path, prefix: str, app: str) -> tuple[str, str | None]:
    """(database URL, PostgreSQL database name or None for SQLite)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{prefix}.sqlite3'}", None
    name = f"boh_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    return f"{PG.rsplit('/', 1)[0]}/{name}?application_name={app}", name


def drop(name: str | None) -> None:
    if name is not None:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

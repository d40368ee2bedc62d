"""Test harness: every database test runs on SQLite and, when reachable, on PostgreSQL.

Each backend gets a fresh database per session, built with the real Alembic migrations; after each
test every table is emptied, so tests see real commits and real concurrency without leaking state.
Set BOH_REQUIRE_POSTGRES=1 (CI does) to make an unreachable PostgreSQL an error instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from boh.bootstrap import Runtime, build_runtime, upgrade_database
from boh.kernel import cache as kernel_cache
from boh.kernel.clock import clock
from boh.kernel.db import Base
from boh.settings import Settings, WorkerSettings

PG_URL = os.environ.get("BOH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("BOH_REQUIRE_POSTGRES") == "1"


def _pg_reachable() -> bool:
    try:
        eng = create_engine(
            PG_URL.replace("postgresql://", "postgresql+psycopg://"), connect_args={"connect_timeout": 3}
        )
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with argon2id at its smallest cost while testing. The production parameters (OWASP:
    t=2, m=19 MiB) cost about 55 ms of CPU a hash and 30 ms a login here, and the suite makes thousands of
    users and logins; a hash still goes through the real argon2id and is verified the same way (the cost
    is read from the hash). tests/org/test_auth.py checks that the app itself hashes with OWASP's
    parameters."""
    from argon2 import PasswordHasher

    from boh.org import passwords

    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        yield
    finally:
        passwords._hasher = real


@pytest.fixture(scope="session")
def pg_available() -> bool:
    ok = _pg_reachable()
    if not ok and REQUIRE_PG:
        pytest.fail(f"PostgreSQL is required (BOH_REQUIRE_POSTGRES=1) but {PG_URL} does not answer")
    return ok


def _create_pg_database() -> tuple[str, str]:
    name = f"boh_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throw-away database need not wait for each commit to reach the disk (about 0.9 ms a commit
        # here); a crash loses the last commits, never consistency. The app's own databases keep the default.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    base = PG_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, pg_available: bool) -> str:
    if request.param == "postgresql" and not pg_available:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (CI sets BOH_REQUIRE_POSTGRES=1 and always runs it)")
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "boh.sqlite3"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        yield url
        return
    name, url = _create_pg_database()
    try:
        upgrade_database(url)
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        log_json=False,
        worker=WorkerSettings(embedded=False),
    )  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def runtime_session(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(settings)
    yield rt
    rt.engine.dispose()


def _clear_pg(conn: Any, tables: list[str]) -> None:
    """Empty the tables that hold a row and restart the identities that have been used. A test writes to a
    few tables only, and TRUNCATE costs about as much for an empty table as for a full one (new files for
    each; with CASCADE from the tenant table it reaches every table): DELETE the few rows instead, children
    first, in one round trip to find them."""
    _delete_rows(conn, tables)
    used = conn.execute(
        text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
             "WHERE last_value IS NOT NULL")
    ).scalars().all()  # fmt: skip
    for seq in used:
        conn.execute(text(f"ALTER SEQUENCE {seq} RESTART"))


def _delete_rows(conn: Any, tables: list[str]) -> None:
    """DELETE the rows of the tables that hold any (children first), found in one round trip: a test
    writes to a few of the ~200 tables, and a statement per empty table costs more than the probe."""
    probe = " UNION ALL ".join(f"SELECT '{t}' FROM (SELECT 1 FROM \"{t}\" LIMIT 1) AS x" for t in tables)
    full = {row[0] for row in conn.execute(text(probe))}
    for t in tables:  # children before parents
        if t in full:
            conn.execute(text(f'DELETE FROM "{t}"'))


def _truncate(rt: Runtime) -> None:
    kernel_cache.clear(rt.engine)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with rt.engine.begin() as conn:
        if rt.engine.dialect.name == "postgresql":
            _clear_pg(conn, tables)
        else:
            _delete_rows(conn, tables)


def reset(rt: Runtime) -> None:
    """Leave the database as a test found it: clock thawed, every table empty, no audit checkpoints."""
    clock.unfreeze()
    _truncate(rt)
    shutil.rmtree(rt.settings.data_dir / "blobs", ignore_errors=True)


@pytest.fixture
def runtime(runtime_session: Runtime) -> Iterator[Runtime]:
    try:
        yield runtime_session
    finally:
        reset(runtime_session)


@pytest.fixture(scope="session")
def app_session(runtime_session: Runtime, settings: Settings):  # type: ignore[no-untyped-def]
    from boh.web.app import create_app

    return create_app(settings, runtime_session)


@pytest.fixture
def app(runtime: Runtime, app_session):  # type: ignore[no-untyped-def]
    """One app per backend for the whole session. FastAPI builds each route's request handling (its
    dependants and body and response models) on an app's first requests, about a third of the suite's CPU
    when every test made its own app. A test may change ``app.state``: what it held is put back after."""
    saved = dict(app_session.state._state)
    try:
        yield app_session
    finally:
        app_session.state._state.clear()
        app_session.state._state.update(saved)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c

"""Declarative base, naming convention, engines and sessions.

SQLite is the embedded default: WAL journal, foreign keys on, and every transaction opened with
``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing half-way. PostgreSQL is the
production database.
"""

from __future__ import annotations

import select
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, Integer, MetaData, create_engine, event, text
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.orm import Session as Session

from boh.kernel.clock import utcnow
from boh.kernel.types import ScaleError, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit ids on PostgreSQL; SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own BEGIN is deferred)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, hide_parameters=True)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: a database error's message never carries the statement's values (personal data, hashes)
    # into a log. No pool_pre_ping: its SELECT 1 was a round trip at every checkout (17 % of a balance read's
    # time under ingestion load); ``_closed_by_server`` checks the socket instead, and a connection is
    # replaced after pool_recycle seconds (idle connections that a firewall or proxy may drop silently).
    engine = create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=20, pool_recycle=POOL_RECYCLE_S, hide_parameters=True
    )
    event.listen(engine, "checkout", _check_alive)
    return engine


POOL_RECYCLE_S = 1800


def _closed_by_server(dbapi_conn: Any) -> bool:
    """Whether the server has closed (or is closing) this idle pooled PostgreSQL connection, without a round
    trip: a connection at rest in the pool has read every reply and is sent nothing (the app does not LISTEN),
    so a readable socket is the server's goodbye (``pg_terminate_backend``, a restart, an idle timeout: a
    FATAL message, then end of file). A poll of the socket costs microseconds; the ping it replaces, a
    round trip to a server that may be busy."""
    if dbapi_conn.closed or dbapi_conn.broken:
        return True
    try:
        fd = dbapi_conn.pgconn.socket
        if hasattr(select, "poll"):  # poll, not select: select refuses a descriptor beyond FD_SETSIZE (1024)
            probe = select.poll()
            probe.register(fd, select.POLLIN)
            return bool(probe.poll(0))  # POLLIN, or POLLHUP / POLLERR (always reported)
        return bool(select.select([fd], [], [], 0)[0])
    except Exception:  # no socket any more (psycopg raises its OperationalError), or the poll failed
        return True


def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Pool checkout: a connection the server closed is replaced by a new one before it is handed out
    (SQLAlchemy invalidates it and connects again when a checkout listener raises DisconnectionError)."""
    if _closed_by_server(dbapi_conn):
        raise DisconnectionError("the server closed this pooled connection")


@contextmanager
def hot_statements(session: Session) -> Iterator[None]:
    """For a hot path whose statements have one shape and take their rows as arrays (floor-event ingestion), on
    PostgreSQL (nothing on SQLite): every statement is planned once for any parameters, for the rest of the
    session's transaction (``SET LOCAL plan_cache_mode = force_generic_plan``). Otherwise every pooled connection
    plans each prepared statement five times with its values before PostgreSQL keeps a generic plan, while the
    values (arrays of ids) do not change the plan. Measured: 7-9 µs an event less backend CPU in
    ``bench/ingest.py --events 100000`` (bench/README.md). Not for statements whose best plan depends on a value's
    selectivity (reports, searches): hence per transaction, not per connection. (Preparing each statement at its
    first execution too, psycopg's ``prepare_threshold`` 0, was tried and left: statements whose text varies with
    their number of values, ``IN`` lists, would each be prepared once and never reused.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_GENERIC_PLANS)
    yield


_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


try:  # the PostgreSQL driver raises its own DataError where it refuses a value itself (COPY of a NUL)
    from psycopg import DataError as _DriverDataError
except ImportError:  # pragma: no cover - psycopg is a dependency
    _DriverDataError = DataError  # type: ignore[misc,assignment]


def serial_ids(conn: Connection, table: str, n: int) -> list[int]:
    """PostgreSQL: ``n`` ids drawn from the sequence of ``table``'s ``id`` column in one statement, for rows
    COPY'd with their ids. The sequence is looked up once (OFFSET 0 keeps the subquery apart): in the select
    list, pg_get_serial_sequence searched the catalogs for every id drawn (2.7 us an id; 0.45 us so)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:  # the driver's rows, built in C
        cur.execute(
            "SELECT nextval(q.seq) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq OFFSET 0) q "
            "CROSS JOIN generate_series(1, %s)",
            (table, n),
        )
        return [r[0] for r in cur.fetchall()]


def unstorable_value(exc: BaseException) -> str | None:
    """Why the database refused a value of the request, when that is what ``exc`` is: an integer beyond 64 bits
    (SQLite refuses to bind it), a decimal with more digits than its column (``ScaleError``), or the driver's
    data error (PostgreSQL's SQLSTATE class 22: out of range, too long; psycopg's NUL character in text).
    Else None.

    Input validation should catch these first; this is the safety net that turns a value nobody foresaw into
    a client error (nothing was written: the transaction rolled back) instead of an internal error. The
    message quotes no text the request sent (a decimal that does not fit is named: it is only a number)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OverflowError):
            return "a number is too large (whole numbers and ids have at most 64 bits)"
        if isinstance(e, ScaleError):
            return f"a decimal number does not fit: {e}"
        if isinstance(e, DataError | _DriverDataError) or str(getattr(e, "sqlstate", "") or "").startswith("22"):
            return "a value cannot be stored: it is out of range, too long or holds a character that is not allowed"
        todo.extend((e.__cause__, e.__context__, getattr(e, "orig", None)))
    return None


def _driver_error_text(e: BaseException) -> str | None:
    """A database driver's error without the values it may quote: PostgreSQL's messages and details can
    carry the failing row (``Failing row contains (...)``, ``Key (email)=(...)``, ``invalid input syntax:
    "..."``), so only its SQLSTATE and the names of the table, column and constraint are kept. SQLite's
    messages name the constraint and column, never a value."""
    diag = getattr(e, "diag", None)
    sqlstate = getattr(e, "sqlstate", None)
    if diag is None and sqlstate is None:
        if isinstance(e, sqlite3.Error):
            return f"{type(e).__name__}: {e}"
        return None
    where = [
        f"{label} {value}"
        for label, value in (
            ("table", getattr(diag, "table_name", None)),
            ("column", getattr(diag, "column_name", None)),
            ("constraint", getattr(diag, "constraint_name", None)),
        )
        if value
    ]
    return f"{type(e).__name__} (SQLSTATE {sqlstate or '?'})" + (f" on {', '.join(where)}" if where else "")


def error_text(exc: BaseException) -> str:
    """``Type: message`` of an exception, safe to log or store: a database error is told without the values
    of its statement or its row (``_driver_error_text``), with the statement's SQL (placeholders only)."""
    if isinstance(exc, DBAPIError):
        driver = _driver_error_text(exc.orig) if exc.orig is not None else None
        sql = " ".join(str(exc.statement or "").split())[:300]
        return f"{type(exc).__name__}: {driver or type(exc.orig).__name__} [SQL: {sql}]"
    driver = _driver_error_text(exc)
    return driver if driver is not None else f"{type(exc).__name__}: {exc}"


def safe_traceback(exc: BaseException) -> str:
    """A traceback like Python's, chained causes included, with every message told by ``error_text``."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    e: BaseException | None = exc
    link = ""
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        chain.append((e, link))
        if e.__cause__ is not None:
            e, link = e.__cause__, "The above exception was the direct cause of the following exception:"
        elif e.__context__ is not None and not e.__suppress_context__:
            e, link = e.__context__, "During handling of the above exception, another exception occurred:"
        else:
            e = None
    parts: list[str] = []
    for i, (e, _) in enumerate(reversed(chain)):
        if i:
            parts.append(f"\n{chain[len(chain) - i][1]}\n\n")
        parts.append("Traceback (most recent call last):\n" + "".join(traceback.format_tb(e.__traceback__)))
        parts.append(error_text(e) + "\n")
    return "".join(parts).rstrip("\n")

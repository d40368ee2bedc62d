"""The PostgreSQL pool without pre-ping: a pooled connection the server closed (``pg_terminate_backend``, a
restart) is replaced at checkout by a poll of its socket, no round trip; a live one is handed out as is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from boh.kernel.db import make_engine
from tests.conftest import PG_URL


@pytest.fixture
def engine(pg_available: bool) -> Iterator[Engine]:
    if not pg_available:
        pytest.skip("PostgreSQL not reachable")
    eng = make_engine(PG_URL, pool_size=2)
    yield eng
    eng.dispose()


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    """End the backend and wait until it is gone (its goodbye then sits on the client's socket)."""
    admin = make_engine(PG_URL, pool_size=1)
    try:
        # autocommit: pg_stat_activity is read once per transaction, each check must see it afresh
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            for _ in range(1000):  # bounded wait, no fixed sleep
                gone = conn.execute(
                    text("SELECT pg_sleep(0.01), count(*) = 0 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
                ).one()[1]
                if gone:
                    return
        raise AssertionError(f"backend {pid} did not end")
    finally:
        admin.dispose()


def test_pool_does_not_ping(engine: Engine) -> None:
    assert engine.pool._pre_ping is False


def test_live_connection_is_reused(engine: Engine) -> None:
    assert _pid(engine) == _pid(engine)


def test_terminated_backend_is_replaced_at_checkout(engine: Engine) -> None:
    first = _pid(engine)
    _terminate(first)
    with engine.connect() as conn:  # no error: the dead connection was replaced before it was handed out
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        second = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    assert second != first
    assert _pid(engine) == second  # and the new one is kept

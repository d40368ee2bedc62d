"""0101authsessions: usernames become unique per tenant without losing any user's roles or sessions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from boh.cli.main import alembic_config
from boh.kernel.db import make_engine
from tests.conftest import _create_pg_database, _drop_pg_database


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    name, url = _create_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(name)


def _run(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.begin() as conn:
        return (
            [tuple(r) for r in conn.execute(text(sql), params).all()]
            if sql.startswith("SELECT")
            else (conn.execute(text(sql), params) and [])
        )


def test_upgrade_keeps_roles_and_refresh_tokens_and_opens_their_sessions(database: str) -> None:
    cfg = alembic_config(database)
    command.upgrade(cfg, "0200kitchen")  # the revision before 0101authsessions
    engine = make_engine(database)
    family = str(uuid.uuid4())
    try:
        now = "2026-12-06 10:00:00+00:00"
        for tid, code in ((1, "ONE"), (2, "TWO")):
            _run(engine, "INSERT INTO org_tenant (id, code, name, base_currency, default_locale, active, created_at, "
                 "updated_at) VALUES (:id, :code, :code, 'CNY', 'en', :yes, :now, :now)", id=tid, code=code, yes=True,
                 now=now)  # fmt: skip
        _run(engine, "INSERT INTO org_user (id, tenant_id, username, display_name, password_hash, locale, active, "
             "failed_logins, created_at, updated_at) VALUES (1, 1, 'ann', 'Ann', 'x', 'en', :yes, 0, :now, :now)",
             yes=True, now=now)  # fmt: skip
        _run(engine, "INSERT INTO org_role_assignment (id, tenant_id, user_id, role) VALUES (1, 1, 1, 'hq_admin')")
        _run(engine, "INSERT INTO org_refresh_token (id, user_id, token_hash, family, expires_at, revoked) "
             "VALUES (1, 1, 'h1', :f, '2030-01-01 00:00:00+00:00', :no)", f=family, no=False)  # fmt: skip
        command.upgrade(cfg, "head")
        assert _run(engine, "SELECT user_id, role FROM org_role_assignment") == [(1, "hq_admin")]
        assert _run(engine, "SELECT family FROM org_refresh_token") == [(family,)]
        assert _run(engine, "SELECT id, tenant_id, user_id, ended_at FROM org_login_session") == [(family, 1, 1, None)]
        # the same username in another tenant is allowed now; twice in one tenant still is not
        _run(engine, "INSERT INTO org_user (id, tenant_id, username, display_name, password_hash, locale, active, "
             "failed_logins, created_at, updated_at) VALUES (2, 2, 'ann', 'Ann', 'x', 'en', :yes, 0, :now, :now)",
             yes=True, now=now)  # fmt: skip
        with pytest.raises(Exception, match=r"(?i)unique"):
            _run(engine, "INSERT INTO org_user (id, tenant_id, username, display_name, password_hash, locale, "
                 "active, failed_logins, created_at, updated_at) VALUES (3, 2, 'ann', 'A', 'x', 'en', :yes, 0, :now, "
                 ":now)", yes=True, now=now)  # fmt: skip
        if engine.dialect.name == "sqlite":
            assert _run(engine, "SELECT * FROM pragma_foreign_key_check") == []
    finally:
        engine.dispose()

"""Composition root: the runtime (engine, sessions, event bus, token service) and the wiring of
event subscriptions. Entrypoints (web, cli, worker) call ``build_runtime``; nothing else imports this."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from boh import registry
from boh.kernel.db import Base, make_engine, make_session_factory
from boh.kernel.outbox import EventBus
from boh.kernel.tenancy import system_principal
from boh.kernel.uow import UnitOfWork
from boh.settings import Settings


def load_models() -> type[Base]:
    """Import every domain's models (from the manifests) and the platform's own so that Base.metadata is
    complete (Alembic, tests)."""
    import boh.kernel.audit
    import boh.kernel.outbox
    import boh.worker.models  # noqa: F401

    registry.import_models()
    return Base


def wire_events(bus: EventBus) -> EventBus:
    """Each domain's subscriptions, made by its manifest's ``events`` hook: explicit
    ``bus.subscribe(topic, handler)`` calls in the subscribing domain's handlers.py."""
    registry.wire_events(bus)
    return bus


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    bus: EventBus

    def system_uow(self, tenant_id: int, request_id: str | None = None) -> UnitOfWork:
        return UnitOfWork(self.session_factory, system_principal(tenant_id), request_id)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def upgrade_database(url: str) -> None:
    """Create the database schema or upgrade it to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def build_runtime(settings: Settings) -> Runtime:
    load_models()
    engine = make_engine(settings.resolved_database_url(), echo=settings.sql_echo)
    return Runtime(
        settings=settings, engine=engine, session_factory=make_session_factory(engine), bus=wire_events(EventBus())
    )

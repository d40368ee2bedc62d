"""Unit of work: one transaction, the acting principal, domain events and audit records.

The entrypoint (HTTP handler, CLI command, job) opens a unit of work, calls services with it and
commits once. Services never commit. Events go to the outbox and audit records to the chain in the
same transaction as the change; after-commit hooks run only if the commit succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from boh.kernel import audit as audit_chain
from boh.kernel import outbox
from boh.kernel.events import Event
from boh.kernel.tenancy import Principal

log = logging.getLogger("boh.uow")


class UnitOfWork:
    def __init__(
        self, session_factory: sessionmaker[Session], principal: Principal, request_id: str | None = None
    ) -> None:
        self._factory = session_factory
        self.principal = principal
        self.request_id = request_id
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._outbox: list[dict[str, object]] = []  # events published since the last flush
        self.events: list[Event] = []
        self.committed = False
        # audit records wait here until commit: the chain head's row lock is then held for the last moments of
        # the transaction only, not from the first audited change on (every writer of a tenant queued on it)
        self._audit_pending: list[tuple[int, str, audit_chain.AuditEntry]] = []  # (chain, actor, entry)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    @property
    def tenant_id(self) -> int:
        return self.principal.tenant_id

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if not self.committed:
                session.rollback()
        finally:
            session.close()
            self._session = None

    def publish(self, event: Event) -> None:
        """Record the event in the outbox, in this transaction (written at the next flush or the commit, in one
        bulk insert with the others)."""
        self.events.append(event)
        self._outbox.append(outbox.new_row(event, self.request_id))

    def _write_outbox(self) -> None:
        rows, self._outbox = self._outbox, []
        outbox.insert_rows(self.session, rows)

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: Any,
        *,
        before: Any = None,
        after: Any = None,
        chain_id: int | None = None,
    ) -> None:
        chain = self.tenant_id if chain_id is None else chain_id
        entry = audit_chain.AuditEntry(action, entity_type, str(entity_id), before, after)
        self._audit_pending.append((chain, self.principal.actor, entry))

    @contextmanager
    def audit_batch(self) -> Iterator[None]:
        """Kept for the bulk paths that use it: every unit of work now appends its audit records at commit,
        under one lock of each chain head (thousands of records without a round trip each)."""
        yield

    def _append_audit(self) -> None:
        """Append the pending records, chains in key order (no deadlock), each chain's records in order."""
        pending, self._audit_pending = self._audit_pending, []
        chains = sorted({chain for chain, _, _ in pending})
        for chain in chains:
            runs: list[tuple[str, list[audit_chain.AuditEntry]]] = []
            for c, actor, entry in pending:
                if c != chain:
                    continue
                if runs and runs[-1][0] == actor:
                    runs[-1][1].append(entry)
                else:
                    runs.append((actor, [entry]))
            for actor, entries in runs:
                audit_chain.append_many(
                    self.session, chain_id=chain, actor=actor, entries=entries, request_id=self.request_id
                )

    @contextmanager
    def acting_as(self, principal: Principal) -> Iterator[None]:
        """Run a block of this transaction as another principal (a platform operator setting up a new
        tenant acts inside that tenant: its records go to that tenant, and to its audit chain)."""
        before, self.principal = self.principal, principal
        try:
            yield
        finally:
            self.principal = before

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def flush(self) -> None:
        self._write_outbox()
        self.session.flush()

    def commit(self) -> None:
        self._write_outbox()
        self._append_audit()
        self.session.commit()
        self.committed = True
        hooks, self._after_commit = self._after_commit, []
        for fn in hooks:
            try:
                fn()
            except Exception:  # a side effect after commit must never undo or hide the commit
                log.exception("after-commit hook failed")

    def rollback(self) -> None:
        self._outbox.clear()
        self._audit_pending.clear()
        self.session.rollback()
        self._after_commit.clear()
        self.events.clear()

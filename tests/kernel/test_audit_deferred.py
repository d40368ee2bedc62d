"""A unit of work appends its audit records at commit: the chain head's row lock is held for the commit's
last moments, not from the first audited change on, so writers of one tenant no longer queue on it for the
length of each other's transactions (the busy-hour bench saw event batches wait on it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from boh.bootstrap import Runtime
from boh.kernel.audit import AuditRecord, verify_chain


def _chain(rt: Runtime) -> list[tuple[int, str]]:
    with rt.session_factory() as s:
        return [
            (r.seq, r.entity_id)
            for r in s.scalars(select(AuditRecord).where(AuditRecord.chain_id == 5).order_by(AuditRecord.seq))
        ]


@pytest.mark.postgres_only
def test_an_open_transaction_does_not_hold_the_chain_head(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    with runtime.system_uow(5) as first:
        first.audit("test.first", "thing", "a")
        first.flush()
        with runtime.system_uow(5) as second:
            second.session.execute(text("SET LOCAL lock_timeout = '20s'"))  # a deadline, not a timing
            second.audit("test.second", "thing", "b")
            second.commit()  # would wait for `first` if its audit() had locked the head
        first.commit()
    assert _chain(runtime) == [(1, "b"), (2, "a")]  # the chain's order is the commit order
    with runtime.session_factory() as s:
        assert verify_chain(s, 5) == (2, None)


def test_records_wait_for_commit_and_vanish_on_rollback(runtime: Runtime) -> None:
    with runtime.system_uow(5) as uow:
        uow.audit("test.one", "thing", "1")
        uow.flush()
        assert uow.session.scalars(select(AuditRecord)).all() == []
        uow.rollback()
        uow.audit("test.two", "thing", "2")
        uow.audit("test.three", "thing", "3", chain_id=5)
        uow.commit()
    assert _chain(runtime) == [(1, "2"), (2, "3")]

"""The audit chain: written atomically with the change it describes, and any tampering is named."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select, text

from boh.bootstrap import Runtime
from boh.kernel import audit
from boh.kernel.audit import GENESIS, AuditHead, AuditRecord, verify_chain
from boh.org.models import Tenant

CHAIN = 7


def _append(rt: Runtime, n: int, chain_id: int = CHAIN) -> None:
    with rt.system_uow(chain_id) as uow:
        for i in range(n):
            uow.audit("test.touch", "thing", i, before={"v": i}, after={"v": i + 1})
        uow.commit()


def _verify(rt: Runtime, chain_id: int = CHAIN) -> tuple[int, audit.ChainProblem | None]:
    with rt.session_factory() as session:
        return verify_chain(session, chain_id)


def _sql(rt: Runtime, statement: str, **params: object) -> None:
    with rt.engine.begin() as conn:
        conn.execute(text(statement), params)


def _count(rt: Runtime, model: type, **where: object) -> int:
    with rt.session_factory() as session:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return session.scalar(stmt) or 0


def test_records_are_chained_and_verify(runtime: Runtime) -> None:
    _append(runtime, 3)
    _append(runtime, 2)
    with runtime.session_factory() as session:
        recs = session.scalars(select(AuditRecord).where(AuditRecord.chain_id == CHAIN).order_by(AuditRecord.seq)).all()
        head = session.get(AuditHead, CHAIN)
    assert [r.seq for r in recs] == [1, 2, 3, 4, 5]
    assert recs[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(recs))
    assert recs[0].actor == "system:0" and recs[0].after == '{"v":1}'
    assert head is not None and (head.seq, head.hash) == (5, recs[-1].hash)
    assert _verify(runtime) == (5, None)


def test_chains_are_independent_per_tenant(runtime: Runtime) -> None:
    _append(runtime, 2, chain_id=1)
    _append(runtime, 3, chain_id=2)
    assert _verify(runtime, 1) == (2, None)
    assert _verify(runtime, 2) == (3, None)
    with runtime.session_factory() as session:
        assert audit.chain_ids(session) == [1, 2]


def test_rollback_removes_the_change_and_its_audit_record(runtime: Runtime) -> None:
    _append(runtime, 1)
    with runtime.system_uow(CHAIN) as uow:
        uow.session.add(Tenant(code="GHOST", name="Ghost"))
        uow.flush()
        uow.audit("org.tenant.create", "tenant", "GHOST", after={"code": "GHOST"})
        uow.rollback()
    with runtime.system_uow(CHAIN) as uow:  # leaving the block without commit also rolls back
        uow.session.add(Tenant(code="GHOST2", name="Ghost"))
        uow.audit("org.tenant.create", "tenant", "GHOST2")
    assert _count(runtime, Tenant) == 0
    assert _count(runtime, AuditRecord, chain_id=CHAIN) == 1
    assert _verify(runtime) == (1, None)
    _append(runtime, 1)  # the head was rolled back too: the next record is seq 2, not 3
    assert _verify(runtime) == (2, None)


def test_change_and_audit_record_commit_together(runtime: Runtime) -> None:
    with runtime.system_uow(CHAIN) as uow:
        uow.session.add(Tenant(code="REAL", name="Real"))
        uow.audit("org.tenant.create", "tenant", "REAL", after={"code": "REAL"})
        uow.commit()
    assert _count(runtime, Tenant, code="REAL") == 1
    assert _count(runtime, AuditRecord, chain_id=CHAIN, entity_id="REAL") == 1


def test_edited_field_is_reported_at_its_seq(runtime: Runtime) -> None:
    _append(runtime, 5)
    _sql(runtime, "UPDATE kernel_audit SET after = :v WHERE chain_id = :c AND seq = 3", v='{"v":999}', c=CHAIN)
    checked, problem = _verify(runtime)
    assert checked == 2
    assert problem is not None and (problem.seq, problem.kind) == (3, "edited")
    assert "seq 3" in problem.message


def test_edited_actor_and_recomputed_hash_are_still_caught(runtime: Runtime) -> None:
    """Rewriting a record and its own hash breaks the link to the next record."""
    _append(runtime, 4)
    with runtime.session_factory() as session:
        rec = session.scalars(select(AuditRecord).where(AuditRecord.chain_id == CHAIN, AuditRecord.seq == 2)).one()
        rec.actor = "user:666"
        new_hash = audit.compute_hash(rec.prev_hash, rec)
    _sql(runtime, "UPDATE kernel_audit SET actor = 'user:666', hash = :h WHERE chain_id = :c AND seq = 2",
         h=new_hash, c=CHAIN)  # fmt: skip
    checked, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (3, "reordered")
    assert checked == 2


def test_deleted_middle_record_is_reported(runtime: Runtime) -> None:
    _append(runtime, 5)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq = 3", c=CHAIN)
    checked, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (3, "deleted")
    assert checked == 2


def test_deleted_first_record_is_reported(runtime: Runtime) -> None:
    _append(runtime, 3)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq = 1", c=CHAIN)
    _, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (1, "deleted")


def test_swapped_records_are_reported(runtime: Runtime) -> None:
    _append(runtime, 5)
    _sql(runtime, "UPDATE kernel_audit SET seq = -1 WHERE chain_id = :c AND seq = 2", c=CHAIN)
    _sql(runtime, "UPDATE kernel_audit SET seq = 2 WHERE chain_id = :c AND seq = 3", c=CHAIN)
    _sql(runtime, "UPDATE kernel_audit SET seq = 3 WHERE chain_id = :c AND seq = -1", c=CHAIN)
    checked, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (2, "reordered")
    assert checked == 1


def test_swapped_row_ids_are_reported(runtime: Runtime) -> None:
    """Moving records' rows (ids) around while keeping their content is reordering too."""
    _append(runtime, 4)
    with runtime.session_factory() as session:
        ids = dict(session.execute(select(AuditRecord.seq, AuditRecord.id).where(AuditRecord.chain_id == CHAIN)).all())
    _sql(runtime, "UPDATE kernel_audit SET id = -1 WHERE id = :i", i=ids[2])
    _sql(runtime, "UPDATE kernel_audit SET id = :i WHERE id = :j", i=ids[2], j=ids[3])
    _sql(runtime, "UPDATE kernel_audit SET id = :j WHERE id = -1", j=ids[3])
    checked, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (3, "reordered")
    assert checked == 2


def test_deleted_newest_record_is_reported_as_truncated(runtime: Runtime) -> None:
    _append(runtime, 4)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c AND seq = 4", c=CHAIN)
    checked, problem = _verify(runtime)
    assert checked == 3
    assert problem is not None and (problem.seq, problem.kind) == (4, "truncated")
    assert problem.record_id is None


def test_whole_chain_deleted_is_reported(runtime: Runtime) -> None:
    _append(runtime, 2)
    _sql(runtime, "DELETE FROM kernel_audit WHERE chain_id = :c", c=CHAIN)
    with runtime.session_factory() as session:
        assert CHAIN in audit.chain_ids(session)  # the head remembers the chain
    _, problem = _verify(runtime)
    assert problem is not None and (problem.seq, problem.kind) == (1, "truncated")


@pytest.mark.postgres_only
def test_concurrent_appends_make_a_gap_free_chain(runtime: Runtime, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row-lock concurrency is PostgreSQL behaviour")
    threads_n, per_thread = 8, 15
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with runtime.system_uow(CHAIN) as uow:
                    uow.audit("test.concurrent", "worker", f"{k}-{i}")
                    uow.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with runtime.session_factory() as session:
        seqs = session.scalars(select(AuditRecord.seq).where(AuditRecord.chain_id == CHAIN).order_by(AuditRecord.seq))
        assert list(seqs) == list(range(1, threads_n * per_thread + 1))
    assert _verify(runtime) == (threads_n * per_thread, None)


def test_batched_records_continue_the_chain(runtime: Runtime) -> None:
    _append(runtime, 2)
    with runtime.system_uow(CHAIN) as uow, uow.audit_batch():
        for i in range(3):
            uow.audit("test.bulk", "row", i, after={"i": i})
        uow.audit("test.bulk", "other_chain", "x", chain_id=CHAIN + 1)
        with uow.audit_batch():  # nested: the outer block appends
            uow.audit("test.bulk", "row", 3)
        assert _count(runtime, AuditRecord) == 2  # nothing appended before the block ends
    # leaving the unit of work without commit dropped the batch too
    assert _count(runtime, AuditRecord) == 2
    with runtime.system_uow(CHAIN) as uow:
        with uow.audit_batch():
            for i in range(4):
                uow.audit("test.bulk", "row", i)
            uow.audit("test.bulk", "other_chain", "x", chain_id=CHAIN + 1)
        uow.commit()
    _append(runtime, 1)
    with runtime.session_factory() as session:
        rows = session.execute(
            select(AuditRecord.seq, AuditRecord.entity_id)
            .where(AuditRecord.chain_id == CHAIN)
            .order_by(AuditRecord.seq)
        ).all()
    assert [tuple(r) for r in rows] == [(1, "0"), (2, "1"), (3, "0"), (4, "1"), (5, "2"), (6, "3"), (7, "0")]
    assert _verify(runtime) == (7, None)
    assert _verify(runtime, CHAIN + 1) == (1, None)


@pytest.mark.postgres_only
def test_concurrent_batches_on_two_chains_do_not_deadlock(runtime: Runtime, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row-lock concurrency is PostgreSQL behaviour")
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for _ in range(5):
                with runtime.system_uow(CHAIN) as uow:
                    with uow.audit_batch():
                        if k % 2:  # half the writers touch the chains in the other order
                            uow.audit("test.bulk", "row", "other", chain_id=CHAIN + 1)
                        for i in range(4):
                            uow.audit("test.bulk", "row", f"{k}-{i}")
                        if not k % 2:
                            uow.audit("test.bulk", "row", "other", chain_id=CHAIN + 1)
                    uow.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert _verify(runtime) == (6 * 5 * 4, None)
    assert _verify(runtime, CHAIN + 1) == (6 * 5, None)

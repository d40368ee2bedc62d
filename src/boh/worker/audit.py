"""The audit jobs: checkpoint every chain that moved, and verify every chain against its checkpoint.

Used by the worker's scheduled jobs (``audit.checkpoint``, ``audit.verify``) and by ``boh audit``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.audit_checkpoints import ChainReport, Checkpoint, load_keys, verify_all, write_checkpoints
from boh.kernel.blobs import open_blob_store
from boh.org.models import Tenant
from boh.worker.jobs import WorkerRuntime


def tenant_chains(session: Session) -> set[int]:
    """Every tenant has its own chain (its id), from the record of its creation on."""
    return set(session.scalars(select(Tenant.id)))


def checkpoint(runtime: WorkerRuntime, chains: list[int] | None = None) -> list[Checkpoint]:
    keys = load_keys(runtime.settings)
    store = open_blob_store(runtime.settings)
    with runtime.session_factory() as session:
        return write_checkpoints(session, store, keys, chains)


def verify(runtime: WorkerRuntime) -> list[ChainReport]:
    keys = load_keys(runtime.settings)
    store = open_blob_store(runtime.settings)
    with runtime.session_factory() as session:
        return verify_all(session, store, keys, tenant_chains(session))


def report_dict(r: ChainReport) -> dict[str, Any]:
    p = r.problem
    out: dict[str, Any] = {"chain_id": r.chain_id, "records": r.records, "checkpoint_seq": r.checkpoint_seq}
    if p is not None:
        out.update({"seq": p.seq, "record_id": p.record_id, "kind": p.kind, "message": p.message})
    return out

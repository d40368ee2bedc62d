"""boh.kernel.cache: per-database, time-bounded read caches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from boh.kernel import cache


def _session(tmp_path: Path, name: str) -> Session:
    return Session(create_engine(f"sqlite:///{tmp_path / name}"))


def test_entries_are_per_database_and_end_after_their_ttl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _session(tmp_path, "a.db"), _session(tmp_path, "b.db")
    loads: list[str] = []

    def load(value: str):  # type: ignore[no-untyped-def]
        return lambda: loads.append(value) or value

    assert cache.cached(a, "ns", 1, 10, load("a1")) == "a1"
    assert cache.cached(a, "ns", 1, 10, load("a2")) == "a1"  # cached
    assert cache.cached(b, "ns", 1, 10, load("b1")) == "b1"  # same key, another database
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 11)
    assert cache.cached(a, "ns", 1, 10, load("a3")) == "a3"  # the entry ended
    assert loads == ["a1", "b1", "a3"]


def test_a_failed_load_is_not_cached_and_forget_drops_a_namespace(tmp_path: Path) -> None:
    s = _session(tmp_path, "c.db")

    def missing() -> str:
        raise LookupError("not there")

    with pytest.raises(LookupError):
        cache.cached(s, "ns", "k", 10, missing)
    assert cache.cached(s, "ns", "k", 10, lambda: "found") == "found"
    cache.forget(s, "ns")
    assert cache.cached(s, "ns", "k", 10, lambda: "again") == "again"
    cache.clear(s.get_bind())  # type: ignore[arg-type]
    assert cache.cached(s, "ns", "k", 10, lambda: "fresh") == "fresh"

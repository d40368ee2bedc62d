"""Short-lived read caches, one per database engine (tests and tools run several databases in one process,
and the same ids mean different rows in each).

Only for reads whose staleness is bounded and stated where they are used: an entry lives ``ttl`` seconds;
``forget`` drops a namespace in this process at once (other processes see the change when their entry ends).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
MAX_ENTRIES = 200_000  # per namespace and engine; a full namespace starts again empty

_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary[Engine, dict[str, dict[Hashable, tuple[float, Any]]]] = weakref.WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def cached(session: Session, namespace: str, key: Hashable, ttl: float, load: Callable[[], T]) -> T:
    """The value of ``key`` in ``namespace`` for the session's database, loaded by ``load`` when missing or
    older than ``ttl`` seconds. ``load`` raising caches nothing."""
    engine, now = _engine(session), time.monotonic()
    with _lock:
        entries = _caches.setdefault(engine, {}).setdefault(namespace, {})
        hit = entries.get(key)
    if hit is not None and hit[0] > now:
        value: T = hit[1]
        return value
    value = load()
    with _lock:
        if len(entries) >= MAX_ENTRIES:
            entries.clear()
        entries[key] = (now + ttl, value)
    return value


def cached_many(
    session: Session, namespace: str, keys: Iterable[K], ttl: float, load: Callable[[list[K]], Mapping[K, T]]
) -> dict[K, T]:
    """The values of ``keys`` that exist: cached ones as they are, the others loaded in ONE call of ``load``
    (given the missing keys, it returns those it found). A key ``load`` did not find is not cached, so it
    is looked up again next time (a code created a moment later is found at once)."""
    engine, now = _engine(session), time.monotonic()
    out: dict[K, T] = {}
    missing: list[K] = []
    with _lock:
        entries = _caches.setdefault(engine, {}).setdefault(namespace, {})
        for k in keys:
            hit = entries.get(k)
            if hit is not None and hit[0] > now:
                out[k] = hit[1]
            else:
                missing.append(k)
    if missing:
        loaded = load(missing)
        out.update(loaded)
        with _lock:
            if len(entries) + len(loaded) > MAX_ENTRIES:
                entries.clear()
            expires = now + ttl
            for k, v in loaded.items():
                entries[k] = (expires, v)
    return out


def peek(engine: Engine, namespace: str, key: Hashable) -> Any | None:
    """The live cached value of ``key``, or None; never loads (callable where no I/O may happen)."""
    with _lock:
        hit = _caches.get(engine, {}).get(namespace, {}).get(key)
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def forget(session: Session, namespace: str) -> None:
    """Drop every entry of ``namespace`` for the session's database (in this process)."""
    with _lock:
        _caches.get(_engine(session), {}).pop(namespace, None)


def clear(engine: Engine) -> None:
    """Drop every entry for this database (after its tables were emptied: tests, a restore)."""
    with _lock:
        _caches.pop(engine, None)

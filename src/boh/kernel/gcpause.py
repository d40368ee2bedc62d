"""Hold off CPython's cyclic garbage collector while a bulk operation runs.

A floor-event batch allocates a few hundred thousand short-lived containers (parsed events, lines, rows),
nearly all freed by reference counting when the batch ends. With the collector on, those allocations
trigger generation 1 and 2 collections in the middle of the batch, and each full collection walks every
long-lived object of the process (the app, its metadata, caches): about a quarter of a batch's CPU time
was spent there (bench/ingest_inproc.py ``gc_us_per_event``). Paused, the allocations are still counted:
the first allocation after ``paused()`` ends runs the young-generation collection that was due, so
reference cycles made meanwhile are still collected, only later.

Process-wide and thread-safe: the collector is paused while at least one ``paused()`` block runs in any
thread, and left alone when something else had disabled it before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_disabled_by_us = False


@contextmanager
def paused() -> Iterator[None]:
    global _holders, _disabled_by_us
    with _lock:
        _holders += 1
        if _holders == 1 and gc.isenabled():
            gc.disable()
            _disabled_by_us = True
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _disabled_by_us:
                _disabled_by_us = False
                gc.enable()


_frozen = False


def freeze_once() -> bool:
    """Move what the process holds now (the app, its routes and models, metadata, caches) out of the
    collector's reach, once per process, after start-up: these objects live as long as the process, yet each
    full collection walked them all, and one walk of a warmed server's heap stalled a request by up to 400 ms
    in ``bench/ingest.py`` (the balance reads of the visibility probes). Garbage is collected first, so none
    is kept. True when this call froze."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        _frozen = True
    gc.collect()
    gc.freeze()
    return True

"""The collector pause: held while any holder runs, restored by the last one, never turned on when it was off."""

from __future__ import annotations

import gc
import threading

import pytest

from boh.kernel import gcpause


@pytest.fixture(autouse=True)
def _collector_on() -> object:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_while_held_and_restored_after() -> None:
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer holder still runs
    assert gc.isenabled()


def test_restored_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), gcpause.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with gcpause.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_held_across_threads_until_the_last_leaves() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with gcpause.paused():
            entered.set()
            release.wait(10)

    t = threading.Thread(target=other)
    t.start()
    assert entered.wait(10)
    with gcpause.paused():
        pass
    assert not gc.isenabled()  # the other thread still holds it
    release.set()
    t.join(10)
    assert gc.isenabled()


def test_freeze_once_collects_the_garbage_then_freezes_what_lives_once_per_process(monkeypatch):
    import weakref

    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the collector frees it

    monkeypatch.setattr(gcpause, "_frozen", False)
    gc.unfreeze()
    gc.disable()  # no automatic collection frees the cycle before freeze_once (the fixture restores it)
    garbage, kept = Node(), Node()
    dead = weakref.ref(garbage)
    del garbage
    assert dead() is not None  # not freed by reference counting
    assert gcpause.freeze_once() is True
    assert dead() is None  # collected before the freeze, not kept forever
    assert gc.get_freeze_count() > 0 and kept.me is kept
    frozen = gc.get_freeze_count()
    fresh = [[] for _ in range(1000)]  # tracked objects a second freeze would move too
    assert gcpause.freeze_once() is False  # once per process
    # not frozen again: the count does not grow by the fresh objects (it may shrink: a frozen object freed by
    # reference counting meanwhile, e.g. by another thread, leaves the permanent generation)
    assert gc.get_freeze_count() < frozen + len(fresh)

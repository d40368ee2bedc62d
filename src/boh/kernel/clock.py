"""Injectable clock: code asks ``clock.now()`` instead of calling datetime.now()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("clock.freeze needs a timezone-aware datetime")
        self._frozen = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        if self._frozen is None:
            raise RuntimeError("clock.advance only works on a frozen clock")
        self._frozen += delta

    def unfreeze(self) -> None:
        self._frozen = None

    @contextmanager
    def frozen(self, at: datetime) -> Iterator[Clock]:
        previous = self._frozen
        self.freeze(at)
        try:
            yield self
        finally:
            self._frozen = previous


clock = Clock()


def utcnow() -> datetime:
    return clock.now()

"""Domain events: frozen dataclasses published through the unit of work into the outbox.

An event class names its topic with ``topic`` ("catalog.item_created"). Payloads are JSON with
Decimals and datetimes as strings, so any handler can rebuild the event with ``decode``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, get_type_hints

_REGISTRY: dict[str, type[Event]] = {}

E = TypeVar("E", bound="Event")


@dataclasses.dataclass(frozen=True)
class Event:
    topic: ClassVar[str] = ""
    tenant_id: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.topic:
            _REGISTRY[cls.topic] = cls


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Decimals and datetimes as strings."""
    return json.dumps(data, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode(event: Event) -> str:
    return canonical_json(dataclasses.asdict(event))


def _coerce(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    if tp is Decimal or tp == Decimal | None:
        return Decimal(value)
    if tp is datetime or tp == datetime | None:
        return datetime.fromisoformat(value)
    if tp is date or tp == date | None:
        return date.fromisoformat(value)
    return value


def decode(topic: str, payload: str) -> Event:
    cls = _REGISTRY[topic]
    raw = json.loads(payload)
    hints = get_type_hints(cls)
    kwargs = {f.name: _coerce(hints.get(f.name), raw.get(f.name)) for f in dataclasses.fields(cls)}
    return cls(**kwargs)


def known_topics() -> list[str]:
    return sorted(_REGISTRY)

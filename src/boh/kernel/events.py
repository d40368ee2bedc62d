"""Domain events: frozen dataclasses published through the unit of work into the outbox.

An event class names its topic with ``topic`` ("catalog.item_created"). Payloads are JSON with
Decimals and datetimes as strings, so any handler can rebuild the event with ``decode``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from types import UnionType
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

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
    if isinstance(value, set | frozenset):
        try:
            return sorted(value)  # canonical: the same set always encodes the same way
        except TypeError:
            return list(value)
    if isinstance(value, tuple):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Decimals and datetimes as strings."""
    return json.dumps(data, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def encode(event: Event) -> str:
    """The event's JSON. Fields are read shallowly (``dataclasses.asdict`` deep-copies every nested list
    and dict first, which dominates for a batch event of thousands of changes); nested dataclasses are
    encoded by ``_default``; containers are never mutated."""
    return canonical_json(_fields(event))


def _coerce(tp: Any, value: Any) -> Any:
    """Rebuild a field's Python value from its JSON form, following the field's type annotation."""
    if value is None:
        return None
    origin, args = get_origin(tp), get_args(tp)
    if origin is Union or origin is UnionType:
        options = [a for a in args if a is not type(None)]
        return _coerce(options[0], value) if len(options) == 1 else value
    if tp is Decimal:
        return Decimal(value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v) for v in value)
        return tuple(_coerce(a, v) for a, v in zip(args, value, strict=True)) if args else tuple(value)
    if origin in (list, set, frozenset):
        return origin(_coerce(args[0] if args else Any, v) for v in value)
    if origin is dict and len(args) == 2:
        return {k: _coerce(args[1], v) for k, v in value.items()}
    if tp in (tuple, frozenset, set):
        return tp(value)
    return value


def decode(topic: str, payload: str) -> Event:
    cls = _REGISTRY[topic]
    raw = json.loads(payload)
    hints = get_type_hints(cls)
    kwargs = {f.name: _coerce(hints.get(f.name), raw.get(f.name)) for f in dataclasses.fields(cls)}
    return cls(**kwargs)


def known_topics() -> list[str]:
    return sorted(_REGISTRY)

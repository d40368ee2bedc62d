"""Helpers shared by the catalog use cases: snapshots and audit records of changed fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from boh.catalog.domain import changed_fields
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def audit_changes(
    uow: UnitOfWork, action: str, entity_type: str, entity_id: int, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[str, ...]:
    """Audit the fields whose value changed (old -> new); nothing is written when none did."""
    changed = changed_fields(before, after)
    if changed:
        uow.audit(
            action,
            entity_type,
            entity_id,
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
        )
    return changed


def fail(*errors: tuple[tuple[str | int, ...], str]) -> None:
    """Raise ValidationFailed for (loc, message) pairs, if there are any."""
    if errors:
        raise ValidationFailed([FieldError(loc, msg) for loc, msg in errors])


def invalid(loc: tuple[str | int, ...], message: str) -> NoReturn:
    """Raise ValidationFailed for one field."""
    raise ValidationFailed([FieldError(loc, message)])

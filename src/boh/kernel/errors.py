"""Typed errors with stable codes. The web layer maps them to problem+json in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (or one cell of an imported file)."""

    loc: tuple[str | int, ...]
    message: str
    code: str = "invalid"
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"loc": list(self.loc), "message": self.message, "code": self.code}
        if self.row is not None:
            out["row"] = self.row
        if self.column is not None:
            out["column"] = self.column
        return out


class BohError(Exception):
    """Base of every expected error. ``code`` is stable and documented; ``status`` is a hint for HTTP."""

    code: ClassVar[str] = "boh.error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str = "", *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.extra = extra


class NotFound(BohError):
    code = "boh.not_found"
    status = 404
    title = "Not found"


class Conflict(BohError):
    code = "boh.conflict"
    status = 409
    title = "Conflict"


class PermissionDenied(BohError):
    code = "auth.permission_denied"
    status = 403
    title = "Permission denied"


class AuthenticationRequired(BohError):
    code = "auth.authentication_required"
    status = 401
    title = "Authentication required"


class TooManyAttempts(BohError):
    code = "auth.too_many_attempts"
    status = 429
    title = "Too many attempts"


class ValidationFailed(BohError):
    """Input is invalid; ``errors`` lists every problem found, not just the first."""

    code = "boh.validation_failed"
    status = 422
    title = "Validation failed"

    def __init__(self, errors: list[FieldError], detail: str = "The input is not valid", **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors

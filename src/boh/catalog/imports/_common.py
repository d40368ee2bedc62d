"""Shared parts of catalog imports and exports: parsing, error collection and cell formatting."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from boh.catalog.domain import plain_decimal
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tabular import Row, check_header, read_table, validate_rows

M = TypeVar("M", bound=BaseModel)
_SPLIT = re.compile(r"[;,\n]")


class ImportResult(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int


class Errors:
    """Every problem of a file, each with its spreadsheet row and column."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, row: int, column: str, message: str, code: str = "invalid") -> None:
        self.items.append(FieldError(("row", row, column), message, code, row=row, column=column))

    def extend(self, errors: Iterable[FieldError]) -> None:
        self.items.extend(errors)

    def raise_if_any(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda e: (e.row or 0, e.column or ""))
            raise ValidationFailed(ordered, f"{len(ordered)} problem(s) in the file; nothing was imported")


def parse_file(
    filename: str, data: bytes, required: Sequence[str], allowed: Sequence[str], model: type[M], errors: Errors
) -> tuple[list[str], list[tuple[Row, M]]]:
    """Read the file, check its header (fatal) and validate every row (collected)."""
    header, rows = read_table(filename, data)
    header_errors = check_header(header, required, allowed)
    if header_errors:
        raise ValidationFailed(header_errors, "The file's columns are not right; nothing was imported")
    good, row_errors = validate_rows(model, rows)
    errors.extend(row_errors)
    return header, sorted(good + _salvage(model, rows, row_errors), key=lambda pair: pair[0].number)


def _salvage(model: type[M], rows: Sequence[Row], row_errors: Sequence[FieldError]) -> list[tuple[Row, M]]:
    """Rows with invalid cells, re-read without those cells, so that the checks across rows and against
    the database still see them and the user gets every problem in one go. The file already has errors,
    so these rows are never written."""
    bad_cells: dict[int, set[str]] = {}
    for e in row_errors:
        if e.row is not None:
            bad_cells.setdefault(e.row, set()).add(e.column or "")
    out: list[tuple[Row, M]] = []
    for row in rows:
        if row.number in bad_cells:
            data = {k: v for k, v in row.values.items() if v != "" and k not in bad_cells[row.number]}
            try:
                out.append((row, model.model_validate(data)))
            except ValidationError:
                continue  # a required cell is itself invalid: nothing more to learn from this row
    return out


def check_duplicates(
    rows: Sequence[tuple[Row, M]], key: Callable[[M], Hashable], column: str, errors: Errors, label: Callable[[M], str]
) -> list[tuple[Row, M]]:
    """Report rows whose key appeared in an earlier row; return the rows that are first of their key."""
    seen: dict[Hashable, int] = {}
    first: list[tuple[Row, M]] = []
    for row, rec in rows:
        k = key(rec)
        if k in seen:
            errors.add(row.number, column, f"{label(rec)} also appears in row {seen[k]}", "duplicate")
        else:
            seen[k] = row.number
            first.append((row, rec))
    return first


def split_cell(value: Any) -> list[str]:
    """'a; b, c' -> ['a', 'b', 'c']; lists pass through (the cell of a multi-value column)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in _SPLIT.split(str(value)) if part.strip()]


def cell(value: Any) -> str:
    """A value as written in an exported cell (exact decimals, ISO dates, true/false, lists with ';')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(cell(v) for v in value)
    return str(value)


def present(header: Sequence[str], columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` that the file has: only those change on existing records."""
    return [c for c in columns if c in header]

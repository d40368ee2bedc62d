"""CSV and XLSX reading and writing for imports and exports.

``read_table`` turns an uploaded file into rows of strings keyed by header, numbered as the user sees
them in a spreadsheet (header = row 1). ``validate_rows`` checks every row against a pydantic model and
returns every error at once, with row, column and reason, so an import is all-or-nothing.

Exports are safe to open in a spreadsheet: text that starts like a formula (``=``, ``+``, ``-``, ``@``) is
written as text (XLSX) or with a leading ``'`` (CSV, removed again by ``read_table``), so a site or item
name cannot run as a formula on an operator's machine (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import BaseModel, ValidationError

from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.filelimits import LIMITS, FileLimitExceeded, Limits, check_xlsx, not_readable

M = TypeVar("M", bound=BaseModel)

MAX_ROWS = LIMITS.rows
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def _xlsx_cell(ws: Any, value: Any) -> Any:
    # XLSX cannot hold control characters (a pasted name may carry one): each shows as U+FFFD instead
    text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    if not _formula_like(text):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # text, never a formula
    return cell


def _uncsv(text: str) -> str:
    return text[1:] if text.startswith("'") and _formula_like(text[1:]) else text


@dataclass(frozen=True)
class Row:
    number: int  # spreadsheet row number (the header is row 1)
    values: dict[str, str]


def _detect_format(filename: str, data: bytes) -> str:
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return "xlsx"
    return "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Bounds:
    """The limits applied again to what the reader yields, row by row."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.rows, self.cells = limits, 0, 0

    def row(self, width: int) -> None:
        lim = self.limits
        self.rows += 1
        self.cells += width
        if width > lim.columns:
            raise FileLimitExceeded("columns", lim.columns, width, f" (row {self.rows})")
        if self.rows > lim.rows + 1:
            raise FileLimitExceeded("rows", lim.rows)
        if self.cells > lim.cells:
            raise FileLimitExceeded("cells", lim.cells)


def _read_xlsx(data: bytes, limits: Limits) -> list[list[str]]:
    check_xlsx(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise not_readable(exc) from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # type: ignore[union-attr]  # rows as wide as their cells, never a declared width
        bounds, raw = _Bounds(limits), []
        for r in ws.iter_rows(values_only=True):
            bounds.row(len(r))
            raw.append([_cell(v) for v in r])
        return raw
    except FileLimitExceeded:
        raise
    except Exception as exc:
        raise not_readable(exc) from exc
    finally:
        wb.close()


def _read_csv(data: bytes, limits: Limits) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([FieldError(("file",), "the CSV file is not UTF-8 encoded")]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))  # "" : the reader itself splits \n, \r\n and \r lines
    bounds, raw = _Bounds(limits), []
    try:
        for r in reader:
            bounds.row(len(r))
            raw.append([_uncsv(c.strip()).strip() for c in r])
    except csv.Error as exc:
        raise ValidationFailed(
            [FieldError(("file",), f"not a readable CSV file (line {reader.line_num}): {exc}")]
        ) from exc
    return raw


def read_table(filename: str, data: bytes, limits: Limits = LIMITS) -> tuple[list[str], list[Row]]:
    """Parse an uploaded CSV or XLSX file within ``limits`` (``FileLimitExceeded`` beyond them). Blocking
    work: never call it on the event loop (import routes are sync ``def`` routes, run in worker threads;
    tests/web/test_import_offloop.py walks every upload route to prove it)."""
    if len(data) > limits.file_bytes:
        raise FileLimitExceeded("file_size", limits.file_bytes, len(data))
    fmt = _detect_format(filename, data)
    raw = _read_xlsx(data, limits) if fmt == "xlsx" else _read_csv(data, limits)
    if not raw:
        raise ValidationFailed([FieldError(("file",), "the file is empty")])
    header = [h.strip().lower() for h in raw[0]]
    rows: list[Row] = []
    for i, r in enumerate(raw[1:], start=2):
        if not any(r):
            continue
        rows.append(Row(i, {h: (r[j] if j < len(r) else "") for j, h in enumerate(header) if h}))
    if len(rows) > limits.rows:
        raise FileLimitExceeded("rows", limits.rows, len(rows))
    return header, rows


def check_header(header: Sequence[str], required: Iterable[str], allowed: Iterable[str]) -> list[FieldError]:
    errors = []
    allowed_set = set(allowed)
    for col in required:
        if col not in header:
            errors.append(
                FieldError(("header", col), f"required column '{col}' is missing", "missing_column", row=1, column=col)
            )
    for col in header:
        if col and col not in allowed_set:
            errors.append(FieldError(("header", col), f"unknown column '{col}'", "unknown_column", row=1, column=col))
    return errors


def validate_rows(model: type[M], rows: Sequence[Row]) -> tuple[list[tuple[Row, M]], list[FieldError]]:
    """Validate every row; blank cells count as missing. Returns (valid rows, all errors)."""
    good: list[tuple[Row, M]] = []
    errors: list[FieldError] = []
    for row in rows:
        data = {k: v for k, v in row.values.items() if v != ""}
        try:
            good.append((row, model.model_validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                col = str(err["loc"][0]) if err["loc"] else ""
                errors.append(FieldError(("row", row.number, col), err["msg"], err["type"], row=row.number, column=col))
    return good, errors


def write_table(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(list(header))
        for r in rows:
            ws.append([_xlsx_cell(ws, v) for v in r])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for r in rows:
        w.writerow([_csv_cell(v) for v in r])
    return out.getvalue().encode("utf-8")

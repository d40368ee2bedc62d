"""Limits on uploaded spreadsheets, checked before any parser allocates for them.

An XLSX file is a zip of XML parts. A parser trusts what they declare: openpyxl pads every row to the
width a sheet's ``<dimension>`` declares (``A1:XFD3000`` with two cells is 49 million cells), loads every
shared string at once, and walks every element of a part. A 1.6 KB file could so cost 30 s and 380 MB.
``check_xlsx`` bounds that work first, by streaming the parts through C-speed byte scans (no XML tree,
at most one 64 KB chunk in memory):

- the zip: number of entries, total uncompressed size (the central directory's sizes: ``zipfile`` never
  yields more than an entry declares), size of each metadata part (workbook, styles, relationships);
- every worksheet: its ``<sheetData>`` starts within the first megabyte (the parser reads up to there for
  the sheet's size);
- the first worksheet (the one imported): the declared dimension, the number of rows, of cells per row
  and of cells, the number of elements, the length of any text;
- the shared strings: their number and the length of any text.

What passes is then read row by row (``tabular.read_table``) with the same limits applied again to what
the parser yields, so a limit holds whatever a part declares. A refused file is one 422 naming the limit
(``FileLimitExceeded``: code ``import.file_limit``, ``limit`` and ``maximum`` members).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from boh.kernel.errors import FieldError, ValidationFailed

CHUNK = 1 << 16
ELEMENT_SLACK = 100_000  # sheet views, columns, merged cells, ...


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024
    rows: int = 200_000  # data rows, the header not counted
    columns: int = 200
    cells: int = 2_000_000
    cell_chars: int = 32_767  # Excel's own limit for one cell
    uncompressed_bytes: int = 200 * 1024 * 1024
    part_bytes: int = 4 * 1024 * 1024  # one metadata part: workbook, styles, relationships, ...
    zip_entries: int = 1_000
    sheet_head_bytes: int = 1024 * 1024  # what comes before <sheetData>


LIMITS = Limits()

_WHAT = {
    "file_size": "bytes",
    "rows": "rows",
    "columns": "columns",
    "cells": "cells",
    "cell_length": "characters in one cell",
    "uncompressed_size": "bytes uncompressed",
    "part_size": "bytes in one part of the file",
    "zip_entries": "parts",
    "shared_strings": "shared strings",
    "elements": "XML elements",
    "sheet_header": "bytes before the sheet's data",
}


class FileLimitExceeded(ValidationFailed):
    """The file is beyond one of the limits; nothing of it was imported."""

    code = "import.file_limit"
    title = "File too large"

    def __init__(self, limit: str, maximum: int, found: int | None = None, where: str = "") -> None:
        what = _WHAT[limit]
        has = f"has {found:,} {what}" if found is not None else f"has more than {maximum:,} {what}"
        msg = f"the file {has}{where}; the limit is {maximum:,} ({limit})"
        super().__init__([FieldError(("file",), msg, f"limit.{limit}")], detail=msg, limit=limit, maximum=maximum)


def not_readable(exc: Exception | str) -> ValidationFailed:
    reason = exc if isinstance(exc, str) else type(exc).__name__
    return ValidationFailed([FieldError(("file",), f"not a readable XLSX file: {reason}")])


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(?:worksheet|sst)[\s/>]")
_ENDS = (b" ", b">", b"/", b"\n", b"\t", b"\r")


def _count(buf: bytes, start: bytes) -> int:
    """Occurrences of an element's start tag (``start`` is "<name" or "<prefix:name"), at C speed. Markup
    counted another way (another prefix) is still bounded by the element budget."""
    return sum(buf.count(start + end) for end in _ENDS)


_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([A-Za-z0-9$:]+)[\"']")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")


@dataclass
class _Scan:
    """Running counts of one part, fed chunk by chunk."""

    limits: Limits
    rows: int = 0
    cells: int = 0
    row_cells: int = 0
    strings: int = 0
    elements: int = 0
    text_run: int = 0  # bytes since the last '<'
    carry: bytes = b""
    prefix: bytes | None = None  # of the root element, as in "<x:sheetData>"; b"" without one

    def text(self, chunk: bytes) -> None:
        # UTF-8 needs at most 4 bytes a character: a run of more bytes than that without markup is too long
        longest = 4 * self.limits.cell_chars
        first = chunk.find(b"<")
        if first < 0:
            self.text_run += len(chunk)
        else:
            self.text_run += first
            if self.text_run <= longest and re.search(rb"[^<]{%d}" % (longest + 1), chunk):
                self.text_run = longest + 1
        if self.text_run > longest:
            raise FileLimitExceeded("cell_length", self.limits.cell_chars)
        if first >= 0:
            self.text_run = len(chunk) - chunk.rfind(b"<") - 1

    def marks(self, chunk: bytes) -> None:
        buf = self.carry + chunk
        cut = buf.rfind(b"<")
        body, self.carry = (buf, b"") if cut < 0 else (buf[:cut], buf[cut:])
        if self.prefix is None:
            root = _ROOT.search(body)
            if root is None and len(body) < CHUNK:
                self.carry = body + self.carry  # the root element is not there yet
                return
            self.prefix = (root.group(1) or b"") if root is not None else b""
        self.elements += body.count(b"<")
        self.strings += _count(body, b"<" + self.prefix + b"si")
        segments = body.split(b"<" + self.prefix + b"row")
        widths = [_count(seg, b"<" + self.prefix + b"c") for seg in segments]
        self.rows += len(segments) - 1
        self.cells += sum(widths)
        if len(widths) == 1:  # the chunk continues the current row
            self.row_cells += widths[0]
            widest = self.row_cells
        else:
            widest = max(self.row_cells + widths[0], *widths[1:])
            self.row_cells = widths[-1]
        self._check(widest)

    def _check(self, widest: int) -> None:
        lim = self.limits
        if widest > lim.columns:
            raise FileLimitExceeded("columns", lim.columns)
        if self.rows > lim.rows + 1:
            raise FileLimitExceeded("rows", lim.rows)
        if self.cells > lim.cells:
            raise FileLimitExceeded("cells", lim.cells)
        if self.strings > lim.cells:
            raise FileLimitExceeded("shared_strings", lim.cells)
        # A cell is <c><v></v></c> or <c><is><t></t></is></c> and a row <row></row>; a shared string is
        # <si><t></t></si>, with some elements more for rich text. More markup than that is no table.
        budget = 8 * (self.cells + self.rows) + 32 * self.strings + ELEMENT_SLACK
        if self.elements > min(budget, 32 * lim.cells + ELEMENT_SLACK):
            raise FileLimitExceeded("elements", budget)


def _scan_part(zf: zipfile.ZipFile, name: str, limits: Limits, *, sheet: bool) -> None:
    scan = _Scan(limits)
    head: bytes | None = b"" if sheet else None
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            if head is not None:
                head += chunk
                if _check_head(head, limits):
                    head = None
            scan.text(chunk)
            scan.marks(chunk)
    scan.marks(b"<")  # count the carried tail


def _check_head(head: bytes, limits: Limits) -> bool:
    """Check the declared dimension once <sheetData> is in ``head``; True when done."""
    data_at = _SHEET_DATA.search(head)
    if data_at is None:
        if len(head) > limits.sheet_head_bytes:
            raise FileLimitExceeded("sheet_header", limits.sheet_head_bytes)
        return False
    dim = _DIMENSION.search(head, 0, data_at.start())
    if dim is None:
        return True
    from openpyxl.utils.cell import range_boundaries

    try:
        _, _, max_col, max_row = range_boundaries(dim.group(1).decode("ascii").replace("$", ""))
    except (ValueError, TypeError):
        return True  # the reader ignores an unreadable dimension too: the rows themselves are counted
    if max_col is not None and max_col > limits.columns:
        raise FileLimitExceeded("columns", limits.columns, max_col, " (the sheet declares them)")
    if max_row is not None and max_row > limits.rows + 1:
        raise FileLimitExceeded("rows", limits.rows, max_row - 1, " (the sheet declares them)")
    return True


def _sheet_head_only(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    head = b""
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            head += chunk
            if _SHEET_DATA.search(head):
                return
            if len(head) > limits.sheet_head_bytes:
                raise FileLimitExceeded("sheet_header", limits.sheet_head_bytes)


def _parts(data: bytes) -> tuple[str | None, str | None]:
    """(first worksheet, shared strings) as openpyxl will read them, from the (size-checked) manifest."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        ct = reader.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
        strings = ct.PartName[1:] if ct is not None else None
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return rel.target, strings
        return None, strings
    finally:
        reader.archive.close()


def check_xlsx(data: bytes, limits: Limits = LIMITS) -> None:
    """Refuse (``FileLimitExceeded``) an XLSX file whose reading would go beyond ``limits``."""
    if len(data) > limits.file_bytes:
        raise FileLimitExceeded("file_size", limits.file_bytes, len(data))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise not_readable(exc) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_entries:
            raise FileLimitExceeded("zip_entries", limits.zip_entries, len(infos))
        total = sum(i.file_size for i in infos)
        if total > limits.uncompressed_bytes:
            raise FileLimitExceeded("uncompressed_size", limits.uncompressed_bytes, total)
        sheets = [i.filename for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        for i in infos:
            metadata = i.filename.endswith((".xml", ".rels", ".vml")) and i.filename not in sheets
            if metadata and i.file_size > limits.part_bytes and not i.filename.endswith("sharedStrings.xml"):
                raise FileLimitExceeded("part_size", limits.part_bytes, i.file_size, f" ({i.filename})")
        try:
            first, strings = _parts(data)
            if strings is not None and strings in zf.namelist():
                _scan_part(zf, strings, limits, sheet=False)
            for name in sheets:
                if name != first:
                    _sheet_head_only(zf, name, limits)
            if first is not None:
                _scan_part(zf, first, limits, sheet=True)
        except FileLimitExceeded:
            raise
        except Exception as exc:
            raise not_readable(exc) from exc

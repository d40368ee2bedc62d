"""Hostile spreadsheets for the import limits (used by tests/kernel/test_file_limits.py and bench/imports.py).

Each is a small upload whose naive reading costs far more than its size: a declared dimension of 16,384
columns, millions of shared strings, one huge string, a zip entry that inflates to hundreds of megabytes,
a row of many cells, or markup that is no table."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def small_xlsx(rows: list[list[object]] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows if rows is not None else [["sku", "name_en"], ["A1", "Apple"]]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, parts: dict[str, bytes | Callable[[bytes], bytes]], *, level: int = 9) -> bytes:
    """A copy of the XLSX ``data`` with some parts replaced (bytes) or transformed (a function)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        names = src.namelist()
        for name in names:
            new = parts.get(name)
            body = src.read(name)
            dst.writestr(name, new(body) if callable(new) else (new if new is not None else body))
        for name, new in parts.items():
            if name not in names and isinstance(new, bytes):
                dst.writestr(name, new)
    return out.getvalue()


def _content_types_with_strings(ct: bytes) -> bytes:
    if b"sharedStrings" in ct:
        return ct
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return ct.replace(b"</Types>", override + b"</Types>")


def _rels_with_strings(rels: bytes) -> bytes:
    if b"sharedStrings" in rels:
        return rels
    rel = (
        b'<Relationship Id="rIdS1" Target="sharedStrings.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    return rels.replace(b"</Relationships>", rel + b"</Relationships>")


def _with_strings(strings: bytes) -> bytes:
    sheet = (
        f'<worksheet {NS}><dimension ref="A1:A1"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ).encode()
    return rewrite(
        small_xlsx(),
        {
            SHEET: sheet,
            STRINGS: strings,
            "[Content_Types].xml": _content_types_with_strings,
            "xl/_rels/workbook.xml.rels": _rels_with_strings,
        },
    )


def declared_dimension_bomb() -> bytes:
    """Two cells, and a dimension of A1:XFD3000 (49 million cells to a reader that pads rows)."""
    return rewrite(
        small_xlsx(), {SHEET: lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD3000"', b)}
    )


def far_cell_bomb() -> bytes:
    """No dimension; two cells, the second at XFD3000."""
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c></row>'
        '<row r="3000"><c r="XFD3000"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    return rewrite(small_xlsx(), {SHEET: sheet})


def shared_strings_bomb(count: int = 3_000_000) -> bytes:
    """Millions of tiny shared strings (about 50 MB inflated, 150 KB compressed)."""
    body = f'<sst {NS} count="{count}" uniqueCount="{count}">'.encode() + b"<si><t>a</t></si>" * count + b"</sst>"
    return _with_strings(body)


def huge_string_bomb(size: int = 60 * 1024 * 1024) -> bytes:
    """One shared string of 60 million characters."""
    return _with_strings(f'<sst {NS} count="1" uniqueCount="1"><si><t>'.encode() + b"a" * size + b"</t></si></sst>")


def zip_bomb(size: int = 300 * 1024 * 1024) -> bytes:
    """A sheet that inflates to 300 MB of padding (a few hundred KB compressed)."""
    base = small_xlsx()
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for name in src.namelist():
            if name != SHEET:
                dst.writestr(name, src.read(name))
        with dst.open(SHEET, "w", force_zip64=True) as fh:
            fh.write(f'<worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'.encode())
            pad = b" " * (1 << 20)
            for _ in range(size >> 20):
                fh.write(pad)
            fh.write(b"</worksheet>")
    return out.getvalue()


def wide_row_bomb(cells: int = 1_000_000) -> bytes:
    """One row of a million cells without positions (a parser builds the whole row before yielding it)."""
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1">'.encode()
        + b"<c><v>1</v></c>" * cells
        + b"</row></sheetData></worksheet>"
    )
    return rewrite(small_xlsx(), {SHEET: sheet})


def markup_bomb(elements: int = 3_000_000) -> bytes:
    """Two cells and millions of elements that are no cells (walked one by one by a parser)."""
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'.encode()
        + b"<x/>" * elements
        + b"</worksheet>"
    )
    return rewrite(small_xlsx(), {SHEET: sheet})


BOMBS: dict[str, tuple[Callable[[], bytes], str]] = {
    "declared_dimension": (declared_dimension_bomb, "columns"),
    "far_cell": (far_cell_bomb, "columns"),
    "shared_strings": (shared_strings_bomb, "shared_strings"),
    "huge_string": (huge_string_bomb, "cell_length"),
    "zip": (zip_bomb, "uncompressed_size"),
    "wide_row": (wide_row_bomb, "columns"),
    "markup": (markup_bomb, "elements"),
}

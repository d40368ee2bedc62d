"""CSV/XLSX imports report every error at once; exports round-trip and cannot smuggle formulas."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from pydantic import BaseModel, Field

from boh.kernel.errors import ValidationFailed
from boh.kernel.tabular import check_header, read_table, validate_rows, write_table

HEADER = ["code", "name", "qty"]
NASTY = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB"]


class RowIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9-]+$")
    name: str
    qty: Decimal = Field(ge=0)


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_rows_are_numbered_like_the_spreadsheet() -> None:
    data = "\ufeffCode,Name,Qty\nA-1,Flour,1.5\n,,\nB-2,  Sugar  ,2\n".encode()
    header, rows = read_table("sites.csv", data)
    assert header == HEADER
    assert [(r.number, r.values) for r in rows] == [
        (2, {"code": "A-1", "name": "Flour", "qty": "1.5"}),
        (4, {"code": "B-2", "name": "Sugar", "qty": "2"}),  # blank row 3 skipped, cells trimmed
    ]


def test_xlsx_is_read_like_csv() -> None:
    header, rows = read_table(
        "upload.bin", _xlsx([["code", "name", "qty"], ["A-1", "Flour", 1.5], ["B-2", "Sugar", 2]])
    )
    assert header == HEADER
    assert [r.values for r in rows] == [
        {"code": "A-1", "name": "Flour", "qty": "1.5"},
        {"code": "B-2", "name": "Sugar", "qty": "2"},
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", b"", "empty"),
        ("x.csv", "code\n\xe9\n".encode("latin-1"), "UTF-8"),
        ("x.xlsx", b"PK\x03\x04 not really a zip", "XLSX"),
    ],
)
def test_unreadable_files_are_validation_errors(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_table(name, data)
    assert message in exc.value.errors[0].message


def test_header_problems_are_all_reported() -> None:
    errors = check_header(["code", "colour", "size"], required=["code", "name"], allowed=["code", "name", "qty"])
    assert [(e.code, e.column, e.row) for e in errors] == [
        ("missing_column", "name", 1),
        ("unknown_column", "colour", 1),
        ("unknown_column", "size", 1),
    ]


def test_every_bad_cell_is_reported_with_row_and_column() -> None:
    _, rows = read_table("x.csv", b"code,name,qty\nA-1,Flour,1\nbad code,,-1\nC-3,Salt,x\n")
    good, errors = validate_rows(RowIn, rows)
    assert [r.number for r, _ in good] == [2]
    assert good[0][1].qty == Decimal("1")
    assert sorted((e.row, e.column) for e in errors) == [(3, "code"), (3, "name"), (3, "qty"), (4, "qty")]
    assert all(e.message for e in errors)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trips_through_import(fmt: str) -> None:
    rows: list[tuple[str, str, Decimal | None]] = [("A-1", name, Decimal("-1.5")) for name in NASTY]
    rows.append(("B-2", "门店 Ω", None))
    data = write_table(fmt, HEADER, rows)
    header, back = read_table(f"export.{fmt}", data)
    assert header == HEADER
    assert [[r.values.get(c, "") for c in HEADER] for r in back] == [
        [c, n.strip(), "" if q is None else str(q)] for c, n, q in rows
    ]


def test_csv_export_neutralises_formulas() -> None:
    text = write_table("csv", HEADER, [["A-1", name, Decimal("-2")] for name in NASTY]).decode()
    for line in text.splitlines()[1:]:
        name = line.split(",", 1)[1].lstrip('"')
        assert name.startswith("'"), line
        assert line.endswith(",-2")  # numbers stay numbers


def test_xlsx_export_writes_formulas_as_text() -> None:
    data = write_table("xlsx", HEADER, [["A-1", name, Decimal("-2")] for name in NASTY])
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == NASTY
    assert {c.data_type for c in cells} == {"s"}  # never "f" (formula)


def test_csv_lines_may_end_in_any_newline_and_a_broken_file_is_one_clear_error() -> None:
    header, rows = read_table("old-mac.csv", b'code,name,qty\rA-1,Rice,2\r\nB-2,"two\rlines",3\n')
    assert header == HEADER
    assert [(r.number, r.values["code"], r.values["name"]) for r in rows] == [
        (2, "A-1", "Rice"),
        (3, "B-2", "two\rlines"),
    ]
    huge = b"code,name,qty\nA-1," + b"x" * 200_000 + b",1\n"  # a cell beyond the CSV reader's field limit
    with pytest.raises(ValidationFailed) as caught:
        read_table("huge.csv", huge)
    [err] = caught.value.errors
    assert err.loc == ("file",) and "not a readable CSV file (line 2)" in err.message


def test_xlsx_export_survives_control_characters() -> None:
    data = write_table("xlsx", HEADER, [["A-1", "Rice\x03 5kg\x1f", Decimal(2)]])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws["B2"].value == "Rice\ufffd 5kg\ufffd"

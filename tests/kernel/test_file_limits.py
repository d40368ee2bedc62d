"""Spreadsheet limits: hostile files are refused, naming the limit, before the parser allocates for them.

Time is not asserted here (bench/imports.py prints how fast each refusal is); memory is, with tracemalloc:
refusing any of the bombs allocates well under 50 MB."""

from __future__ import annotations

import tracemalloc

import pytest

from boh.kernel.filelimits import FileLimitExceeded, Limits
from boh.kernel.tabular import read_table
from tests.xlsx_bombs import BOMBS, small_xlsx

MB = 1024 * 1024


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {name: make() for name, (make, _) in BOMBS.items()}


def _refused(data: bytes, name: str = "bomb.xlsx") -> tuple[FileLimitExceeded, int]:
    tracemalloc.start()
    try:
        with pytest.raises(FileLimitExceeded) as exc:
            read_table(name, data)
        return exc.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", list(BOMBS))
def test_bombs_are_refused_naming_the_limit_with_bounded_memory(bombs: dict[str, bytes], name: str) -> None:
    data = bombs[name]
    assert len(data) < 2 * MB  # each is a small upload
    err, peak = _refused(data)
    limit = BOMBS[name][1]
    assert err.extra["limit"] == limit
    assert err.status == 422 and err.code == "import.file_limit"
    assert len(err.errors) == 1 and err.errors[0].code == f"limit.{limit}" and err.errors[0].loc == ("file",)
    assert f"({limit})" in err.detail
    assert peak < 50 * MB, f"{name}: refusing it allocated {peak / MB:.1f} MB"


def test_the_declared_dimension_bomb_says_what_the_sheet_declares(bombs: dict[str, bytes]) -> None:
    err, _ = _refused(bombs["declared_dimension"])
    assert err.detail == "the file has 16,384 columns (the sheet declares them); the limit is 200 (columns)"


def test_a_normal_file_still_reads(bombs: dict[str, bytes]) -> None:
    header, rows = read_table("ok.xlsx", small_xlsx([["SKU", "Name_EN"], ["A1", "Apple"], [], ["B2", 3.0]]))
    assert header == ["sku", "name_en"]
    assert [(r.number, r.values) for r in rows] == [
        (2, {"sku": "A1", "name_en": "Apple"}),
        (4, {"sku": "B2", "name_en": "3"}),
    ]


def test_rows_are_not_padded_to_a_small_wrong_dimension() -> None:
    # a writer that declares too small a dimension must not make the reader drop cells
    from tests.xlsx_bombs import SHEET, rewrite

    data = rewrite(
        small_xlsx([["sku", "name_en", "name_zh"], ["A1", "Apple", "苹果"]]),
        {SHEET: lambda b: b.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:A1"/>')},
    )
    header, rows = read_table("wrong-dim.xlsx", data)
    assert header == ["sku", "name_en", "name_zh"]
    assert rows[0].values == {"sku": "A1", "name_en": "Apple", "name_zh": "苹果"}


@pytest.mark.parametrize(
    ("limits", "limit"),
    [
        (Limits(rows=3), "rows"),
        (Limits(columns=2), "columns"),
        (Limits(cells=7), "cells"),
        (Limits(file_bytes=20), "file_size"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_limit_applies_to_csv_and_xlsx(limits: Limits, limit: str, fmt: str) -> None:
    rows = [["sku", "name_en", "x"], *[[f"S{i}", "n", ""] for i in range(4)]]
    data = small_xlsx(rows) if fmt == "xlsx" else "\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(FileLimitExceeded) as exc:
        read_table(f"f.{fmt}", data, limits)
    assert exc.value.extra["limit"] == limit
    ok = read_table(f"f.{fmt}", data, Limits())
    assert len(ok[1]) == 4


def test_csv_with_a_huge_row_is_refused_naming_columns() -> None:
    data = b"sku,name_en\n" + b"," * 1_000_000 + b"\n"
    err, peak = _refused(data, "bomb.csv")
    assert err.extra["limit"] == "columns"
    assert peak < 50 * MB


def test_a_truncated_or_lying_zip_is_not_readable_not_a_500() -> None:
    data = small_xlsx()
    from boh.kernel.errors import ValidationFailed

    for broken in (data[: len(data) // 2], b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(ValidationFailed) as exc:
            read_table("broken.xlsx", broken)
        assert "not a readable XLSX file" in exc.value.errors[0].message

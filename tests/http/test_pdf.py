"""The shared PDF builder: Chinese text is embedded (its text layer holds the Chinese name), barcodes carry
the GS1 element strings, labels paginate."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from boh.http import pdf
from boh.http.charts import Chart, Series


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    out: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            out.add(str(font.get_object()["/BaseFont"]))
    return out


def test_a_document_embeds_the_cjk_font_and_its_text_holds_the_chinese_name() -> None:
    doc = pdf.Document(
        title="收货单 Receipt", number="RC-S1-000007", fields=[("门店", "门店S1")],
        columns=["商品", "数量"], rows=[["五常大米 5kg", "10"]], numeric=frozenset({1}),
        row_barcodes=[pdf.gs1_128("6901234567892", "L7", date(2026, 12, 31))], signatures=["收货人"],
    )  # fmt: skip
    data = pdf.render(doc)
    assert data.startswith(b"%PDF")
    text = _text(data)
    assert "五常大米" in text and "RC-S1-000007" in text and "(01)06901234567892(17)261231(10)L7" in text
    assert any("NotoSansSC" in f for f in _fonts(data))


def test_gs1_128_puts_the_variable_lot_last_and_ean13_pads_the_gtin() -> None:
    b = pdf.gs1_128("6901234567892", "LOT-9", date(2027, 1, 5))
    assert b.value == "\xf10106901234567892" + "17270105" + "10LOT-9"
    assert pdf.ean13("6901234567892").value == "690123456789"
    assert pdf.ean13("06901234567892").caption == "6901234567892"


def test_labels_fill_pages_of_24() -> None:
    labels = [pdf.Label(f"大米 {i}", "Rice", ["¥ 1.00"], pdf.ean13("6901234567892")) for i in range(25)]
    reader = PdfReader(io.BytesIO(pdf.render_labels(labels)))
    assert len(reader.pages) == 2
    assert "大米 24" in reader.pages[1].extract_text()


def test_chart_payload_keeps_values_exact_and_rows_align() -> None:
    c = Chart("sales", "Sales", ["12-01", "12-02"], [Series("Sales", [Decimal("10.50"), None])])
    assert c.payload()["series"][0]["values"] == ["10.50", None]
    assert c.rows() == [("12-01", "", [Decimal("10.50")]), ("12-02", "", [None])]

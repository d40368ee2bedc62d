"""Printable PDF documents for the console: transfer notes, receipts, count sheets and shelf labels, in
Chinese and English, with their barcodes. One builder for every domain (ReportLab: layout, Code 128 with
FNC1 for GS1-128, EAN-13 and QR are built in).

Text uses Noto Sans SC (SIL OFL), a TrueType font that frontend/ copies from the npm package
``@expo-google-fonts/noto-sans-sc`` into static/vendor/fonts; it is embedded (subset) in each PDF, so the
document prints the same anywhere. A domain builds a ``Document`` (labels already translated) and returns
``pdf_response(render(doc), "receipt-R-000123.pdf")``; labels go through ``render_labels``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from fastapi.responses import Response

from boh.http.templating import STATIC_DIR
from boh.kernel.errors import BohError

FONT_DIR = STATIC_DIR / "vendor" / "fonts"
FONT, FONT_BOLD = "NotoSansSC", "NotoSansSC-Bold"
GS = "\xf1"  # ReportLab's Code 128 FNC1
_lock = threading.Lock()

BarcodeKind = Literal["ean13", "gs1_128", "code128", "qr"]


class FontMissing(BohError):
    status = 500
    code = "http.pdf_font_missing"


@dataclass(frozen=True)
class Barcode:
    kind: BarcodeKind
    value: str  # what is encoded (GS1-128: FNC1-separated element strings)
    caption: str  # the human-readable line printed under it: "(01)06901234567892(10)L1(17)261231"


def ean13(gtin: str) -> Barcode:
    """A GTIN-13 (or a GTIN-14/12 with leading zeros that fits in 13 digits) as EAN-13."""
    digits = gtin.lstrip("0").zfill(13) if len(gtin) > 13 else gtin.zfill(13)
    return Barcode("ean13", digits[:12], digits)


def gs1_128(gtin: str, lot: str | None = None, expiry: date | None = None) -> Barcode:
    """GS1-128 with AI (01) GTIN-14, (17) expiry YYMMDD and (10) lot (variable length, so last)."""
    g14 = gtin.zfill(14)
    value, caption = f"{GS}01{g14}", f"(01){g14}"
    if expiry is not None:
        value += f"17{expiry:%y%m%d}"
        caption += f"(17){expiry:%y%m%d}"
    if lot:
        value += f"10{lot}"
        caption += f"(10){lot}"
    return Barcode("gs1_128", value, caption)


def code128(text: str) -> Barcode:
    return Barcode("code128", text, text)


@dataclass(frozen=True)
class Document:
    title: str  # "收货单 / Receipt" in the reader's language
    number: str  # the document number, printed large and as a Code 128 barcode
    fields: Sequence[tuple[str, str]] = ()  # (label, value) pairs under the title
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    numeric: frozenset[int] = frozenset()  # column indexes aligned right
    row_barcodes: Sequence[Barcode | None] = ()  # optional, one per row, printed under the row
    blank_columns: frozenset[int] = frozenset()  # columns left empty for writing (count sheets)
    notes: Sequence[str] = ()
    signatures: Sequence[str] = ()  # "Received by", "Delivered by": lines to sign
    widths: Sequence[float] = ()  # optional share of the page width per column (sums to 1); default: even
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Label:
    title: str  # the item name in the reader's language
    subtitle: str = ""  # the other language, SKU
    lines: Sequence[str] = ()  # price, lot, expiry...
    barcode: Barcode | None = None


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = FONT_DIR / "NotoSansSC-Regular.ttf", FONT_DIR / "NotoSansSC-Bold.ttf"
    if not regular.is_file():
        raise FontMissing(f"{regular} is missing: run `npm ci && npm run build` in frontend/")
    with _lock:
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold if bold.is_file() else regular)))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
    return FONT, FONT_BOLD


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("t", fontName=bold, fontSize=16, leading=21, spaceAfter=4),
        "number": ParagraphStyle("n", fontName=bold, fontSize=12, leading=16),
        "body": ParagraphStyle("b", fontName=regular, fontSize=9, leading=12, wordWrap="CJK"),
        "cell": ParagraphStyle("c", fontName=regular, fontSize=8.5, leading=11, wordWrap="CJK"),
        "head": ParagraphStyle("h", fontName=bold, fontSize=8.5, leading=11, wordWrap="CJK"),
        "small": ParagraphStyle("s", fontName=regular, fontSize=7, leading=9),
    }


def drawing(barcode: Barcode, *, width: float | None = None, height: float = 36) -> Any:
    """A ReportLab Drawing of the barcode (flowable in documents, drawable on a canvas)."""
    from reportlab.graphics.barcode import createBarcodeDrawing

    if barcode.kind == "qr":
        size = width or 72
        return createBarcodeDrawing("QR", value=barcode.value, width=size, height=size)
    if barcode.kind == "ean13":
        return createBarcodeDrawing("EAN13", value=barcode.value, barHeight=height, humanReadable=True)
    kw: dict[str, Any] = {"value": barcode.value, "barHeight": height, "humanReadable": False, "barWidth": 0.9}
    d = createBarcodeDrawing("Code128", **kw)
    if width and d.width > width:  # shrink to fit the space
        kw["barWidth"] = 0.9 * width / d.width
        d = createBarcodeDrawing("Code128", **kw)
    return d


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _barcode_block(barcode: Barcode, st: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    out: list[Any] = [drawing(barcode, width=width)]
    if barcode.kind != "ean13":
        out.append(Paragraph(_esc(barcode.caption), st["small"]))
    return out


def _table(doc: Document, st: dict[str, Any], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    head = [Paragraph(_esc(c), st["head"]) for c in doc.columns]
    body: list[list[Any]] = []
    for i, row in enumerate(doc.rows):
        cells: list[Any] = [Paragraph(_esc(v), st["cell"]) for v in row]
        bc = doc.row_barcodes[i] if i < len(doc.row_barcodes) else None
        if bc is not None and cells:
            cells[0] = [cells[0], *_barcode_block(bc, st, width * 0.3)]
        body.append(cells)
    widths = [width * w for w in doc.widths] if len(doc.widths) == len(doc.columns) else None
    table = Table([head, *body], repeatRows=1, colWidths=widths)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in doc.numeric]
    style += [("BOX", (c, 1), (c, -1), 0.4, colors.black) for c in doc.blank_columns]
    table.setStyle(TableStyle(style))
    return table


def render(doc: Document) -> bytes:
    """The document as PDF bytes (A4, its title, number and barcode, fields, the lines, notes, signatures)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    st = _styles()
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"{doc.title} {doc.number}", author="BOH")  # fmt: skip
    width = A4[0] - 28 * mm
    head = Table(
        [[[Paragraph(_esc(doc.title), st["title"]), Paragraph(_esc(doc.number), st["number"])],
          _barcode_block(code128(doc.number), st, width * 0.4)]],
        colWidths=[width * 0.55, width * 0.45],
    )  # fmt: skip
    story: list[Any] = [head, Spacer(1, 4 * mm)]
    if doc.fields:
        rows = [[Paragraph(_esc(k), st["head"]), Paragraph(_esc(v), st["body"])] for k, v in doc.fields]
        story += [Table(rows, colWidths=[width * 0.25, width * 0.75], hAlign="LEFT"), Spacer(1, 4 * mm)]
    if doc.columns:
        story.append(_table(doc, st, width))
    for note in doc.notes:
        story += [Spacer(1, 3 * mm), Paragraph(_esc(note), st["body"])]
    if doc.signatures:
        sig = [[Paragraph(_esc(s) + "：____________________", st["body"]) for s in doc.signatures]]
        story += [Spacer(1, 12 * mm), Table(sig)]
    pdf.build(story)
    return buf.getvalue()


def render_labels(labels: Sequence[Label], *, columns: int = 3, rows: int = 8) -> bytes:
    """Shelf labels on A4 sheets (3 × 8 by default): name, second name, lines and the barcode."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.setTitle("Labels")
    margin = 8 * mm
    w, h = (A4[0] - 2 * margin) / columns, (A4[1] - 2 * margin) / rows
    for i, label in enumerate(labels):
        if i and i % (columns * rows) == 0:
            c.showPage()
        k = i % (columns * rows)
        x, y = margin + (k % columns) * w, A4[1] - margin - (k // columns + 1) * h
        c.setLineWidth(0.3)
        c.rect(x + 1, y + 1, w - 2, h - 2)
        c.setFont(bold, 10)
        c.drawString(x + 4 * mm, y + h - 6 * mm, label.title[:24])
        c.setFont(regular, 7)
        c.drawString(x + 4 * mm, y + h - 10 * mm, label.subtitle[:40])
        for j, line in enumerate(label.lines[:2]):
            c.drawString(x + 4 * mm, y + h - (14 + 3.5 * j) * mm, line[:40])
        if label.barcode is not None:
            d = drawing(label.barcode, width=w - 8 * mm, height=9 * mm)
            d.drawOn(c, x + 4 * mm, y + 4.5 * mm)
            if label.barcode.kind != "ean13":
                c.setFont(regular, 5.5)
                c.drawString(x + 4 * mm, y + 2 * mm, label.barcode.caption[:60])
    c.save()
    return buf.getvalue()


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> Response:
    """The PDF shown in the browser (or downloaded), never cached (documents change as work goes on)."""
    disposition = "attachment" if download else "inline"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"},
    )

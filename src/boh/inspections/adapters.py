"""ADAPTER (temporary): the shared building blocks inspections uses that other branches are adding right now.
Everything here is written against their described interfaces, so switching over is a change to this one
module:

- ``open_photo_store``: the BlobStore of ``boh.kernel.blobs`` (branch hardening-files: put/get/exists/list,
  a local directory by default, an S3-compatible bucket when ``BOH_BLOBS__BUCKET`` is set; the same
  ``BOH_BLOBS__*`` variables). Replace the two small classes below by ``open_blob_store(settings)``.
- ``tell``: ``boh.notify.api.notify`` (branch console: in-app + e-mail). Until it lands, the notification is
  written to the audit chain (``inspections.notify``: kind, message, recipients), so nothing is lost and tests
  can see who would have been told. Replace the body by ``notify(uow, kind=..., ...)``.
- ``Document`` / ``render_pdf``: ``boh.http.pdf.Document`` / ``render`` (branch console: ReportLab with Noto Sans
  SC embedded). Replace by those two.
- ``Chart`` / ``Series``: ``boh.http.charts`` (branch console: one Jinja macro, ``_charts.html``, and
  static/charts.js with ECharts). The dashboard draws them with that macro when it exists and shows the same
  figures as tables until then. Replace by the console's classes.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from boh.kernel.errors import NotFound
from boh.kernel.uow import UnitOfWork
from boh.org.api import users_for


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...


class BlobConfig(BaseSettings):
    """``BOH_BLOBS__*`` (the names hardening-files' ``BlobSettings`` reads)."""

    model_config = SettingsConfigDict(env_prefix="BOH_BLOBS__", extra="ignore")

    dir: Path | None = None
    endpoint_url: str | None = None
    bucket: str | None = None
    region: str | None = None
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    prefix: str = ""


class _Local:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("blob key leads outside the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no blob '{key}'", code="blobs.not_found") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class _S3:
    def __init__(self, cfg: BlobConfig) -> None:
        import boto3

        self.bucket, self.prefix = cfg.bucket, (cfg.prefix.strip("/") + "/" if cfg.prefix.strip("/") else "")
        self._client: Any = boto3.client(
            "s3", endpoint_url=cfg.endpoint_url, region_name=cfg.region,
            aws_access_key_id=cfg.access_key_id.get_secret_value() if cfg.access_key_id else None,
            aws_secret_access_key=cfg.secret_access_key.get_secret_value() if cfg.secret_access_key else None,
        )  # fmt: skip

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return bytes(self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read())
        except self._client.exceptions.NoSuchKey:
            raise NotFound(f"no blob '{key}'", code="blobs.not_found") from None

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except Exception:
            return False
        return True


def open_photo_store(data_dir: Path, cfg: BlobConfig | None = None) -> BlobStore:
    cfg = cfg or BlobConfig()
    if cfg.bucket:
        return _S3(cfg)
    return _Local(cfg.dir or data_dir / "blobs")


def tell(
    uow: UnitOfWork, *, kind: str, message: str, params: Mapping[str, Any] | None = None, link: str | None = None,
    roles: Iterable[str] = (), users: Iterable[int] = (), site_id: int | None = None, dedupe_key: str | None = None,
) -> list[int]:  # fmt: skip
    """Notify users and role holders covering ``site_id`` (boh.notify.api.notify's signature); returns the ids
    of the people told."""
    recipients = [u.id for u in users_for(uow.session, uow.tenant_id, roles=roles, user_ids=users, site_id=site_id)]
    if recipients:
        uow.audit("inspections.notify", "notification", dedupe_key or kind,
                  after={"kind": kind, "message": message, "params": dict(params or {}), "link": link,
                         "users": recipients, "site_id": site_id})  # fmt: skip
    return recipients


# --- PDF documents (console branch: boh.http.pdf.Document / render / pdf_response) -----------------------


@dataclass(frozen=True)
class Document:
    """The fields of boh.http.pdf.Document that the inspection report uses (same names)."""

    title: str
    number: str
    fields: Sequence[tuple[str, str]] = ()
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    numeric: frozenset[int] = frozenset()
    notes: Sequence[str] = ()
    signatures: Sequence[str] = ()


def _font() -> str:
    """Noto Sans SC when the console's build vendored it, else ReportLab's built-in CJK font (not embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    from boh.http.templating import STATIC_DIR

    noto = STATIC_DIR / "vendor" / "fonts" / "NotoSansSC-Regular.ttf"
    if noto.is_file():
        if "NotoSansSC" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("NotoSansSC", str(noto)))
        return "NotoSansSC"
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def render_pdf(doc: Document) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("h", parent=body, fontSize=16, leading=20)
    out = io.BytesIO()
    width = A4[0] - 30 * mm
    story: list[Any] = [Paragraph(escape(f"{doc.title} · {doc.number}"), head), Spacer(1, 4 * mm)]
    if doc.fields:
        story.append(Table([[Paragraph(escape(k), body), Paragraph(escape(v), body)] for k, v in doc.fields],
                           colWidths=[40 * mm, width - 40 * mm]))  # fmt: skip
        story.append(Spacer(1, 4 * mm))
    if doc.columns:
        data = [[Paragraph(f"<b>{escape(c)}</b>", body) for c in doc.columns]]
        data += [[Paragraph(escape(str(v)), body) for v in row] for row in doc.rows]
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
        story.append(table)
    for note in doc.notes:
        story += [Spacer(1, 3 * mm), Paragraph(escape(note), body)]
    for who in doc.signatures:
        story += [Spacer(1, 10 * mm), Paragraph(escape(f"{who}: ________________________"), body)]
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=doc.title).build(story)
    return out.getvalue()


# --- charts (console branch: boh.http.charts.Chart / Series, drawn by templates/_charts.html) -------------


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]


@dataclass(frozen=True)
class Chart:
    """boh.http.charts.Chart's fields and methods: what the console's chart macro reads."""

    id: str
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    kind: str = "line"
    unit: str = ""
    category_label: str = ""
    links: Sequence[str] = ()

    def payload(self) -> dict[str, Any]:
        return {"kind": self.kind, "unit": self.unit, "categories": list(self.categories),
                "series": [{"name": s.name, "values": [None if v is None else format(v, "f") for v in s.values]}
                           for s in self.series]}  # fmt: skip

    def rows(self) -> list[tuple[str, str, list[Decimal | None]]]:
        links = list(self.links) or [""] * len(self.categories)
        return [(c, links[i], [s.values[i] if i < len(s.values) else None for s in self.series])
                for i, c in enumerate(self.categories)]  # fmt: skip

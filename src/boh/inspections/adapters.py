"""The shared building blocks inspections uses, named once: photos in the blob store
(``boh.kernel.blobs``), notifications (``boh.notify.api``), PDF documents (``boh.http.pdf``) and charts
(``boh.http.charts``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from boh.http.charts import Chart, Series
from boh.http.pdf import Document
from boh.http.pdf import render as render_pdf
from boh.kernel.blobs import BlobStore, open_blob_store
from boh.kernel.uow import UnitOfWork
from boh.notify.api import notify
from boh.settings import Settings, get_settings

__all__ = ["BlobStore", "Chart", "Document", "Series", "open_photo_store", "render_pdf", "tell"]


def open_photo_store(data_dir: Path | None = None, settings: Settings | None = None) -> BlobStore:
    """The configured blob store (``BOH_BLOBS__*``: a directory under the data dir, or S3-compatible)."""
    settings = settings or get_settings()
    if data_dir is not None and settings.blobs.dir is None and not settings.blobs.bucket:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return open_blob_store(settings)


def tell(
    uow: UnitOfWork, *, kind: str, message: str, params: Mapping[str, Any] | None = None, link: str | None = None,
    roles: Iterable[str] = (), users: Iterable[int] = (), site_id: int | None = None, dedupe_key: str | None = None,
) -> list[int]:  # fmt: skip
    """Notify users and the role holders covering ``site_id`` (in-app, and by e-mail for subscribers)."""
    return notify(
        uow, kind=kind, message=message, params=params, link=link, roles=roles, users=users, site_id=site_id,
        dedupe_key=dedupe_key,
    )  # fmt: skip

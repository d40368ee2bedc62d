"""Upload and download helpers shared by every domain's import/export routes."""

from __future__ import annotations

from typing import Literal

from fastapi import Response, UploadFile

from boh.kernel.filelimits import LIMITS, FileLimitExceeded

MAX_UPLOAD = LIMITS.file_bytes
ExportFormat = Literal["csv", "xlsx"]
_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _checked(file: UploadFile, data: bytes) -> tuple[str, bytes]:
    if len(data) > MAX_UPLOAD:
        raise FileLimitExceeded("file_size", MAX_UPLOAD)
    return file.filename or "upload.csv", data


async def read_upload(file: UploadFile) -> tuple[str, bytes]:
    """The uploaded bytes (at most MAX_UPLOAD), for async page handlers that then parse in a worker thread."""
    return _checked(file, await file.read(MAX_UPLOAD + 1))


def read_upload_sync(file: UploadFile) -> tuple[str, bytes]:
    """The uploaded bytes, from a sync route. Import routes are sync (``def``): FastAPI runs them in a
    worker thread, so parsing the file (``kernel.tabular.read_table``) never blocks the event loop."""
    file.file.seek(0)
    return _checked(file, file.file.read(MAX_UPLOAD + 1))


def download(data: bytes, fmt: str, basename: str) -> Response:
    return Response(
        content=data,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{basename}.{fmt}"'},
    )

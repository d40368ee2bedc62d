"""Upload and download helpers shared by every domain's import/export routes."""

from __future__ import annotations

from typing import Literal

from fastapi import Response, UploadFile

from boh.kernel.errors import FieldError, ValidationFailed

MAX_UPLOAD = 50 * 1024 * 1024
ExportFormat = Literal["csv", "xlsx"]
_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def read_upload(file: UploadFile) -> tuple[str, bytes]:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed([FieldError(("file",), "the file is larger than 50 MB")])
    return file.filename or "upload.csv", data


def download(data: bytes, fmt: str, basename: str) -> Response:
    return Response(
        content=data,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{basename}.{fmt}"'},
    )

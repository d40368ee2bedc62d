"""The photo store of the request's app (built once per app from its settings) and photo uploads."""

from __future__ import annotations

from fastapi import Request, UploadFile

from boh.inspections.adapters import BlobStore, open_photo_store
from boh.kernel.errors import FieldError, ValidationFailed

MAX_READ = 60 * 1024 * 1024  # beyond any tenant's limit: the service checks the tenant's own


def photo_store(request: Request) -> BlobStore:
    store: BlobStore | None = getattr(request.app.state, "inspection_photos", None)
    if store is None:
        store = open_photo_store(settings=request.app.state.settings)
        request.app.state.inspection_photos = store
    return store


async def read_photo(file: UploadFile) -> bytes:
    data = await file.read(MAX_READ + 1)
    if len(data) > MAX_READ:
        raise ValidationFailed([FieldError(("file",), "the file is larger than 60 MB")])
    return data

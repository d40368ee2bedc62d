"""INTERIM blob store, until ``boh.kernel.blobs`` (branch hardening-files) lands on main: the same interface
(``open_blob_store(settings)`` -> a store with ``put(key, data, content_type)``, ``get``, ``exists``,
``list(prefix)``) on a local directory (``<data dir>/blobs``), with keys checked the same way (plain
segments of letters, digits, '.', '_' and '-'). Replace every import of this module with boh.kernel.blobs
and delete it when that lands; nothing else changes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from boh.kernel.errors import BohError, NotFound

if TYPE_CHECKING:
    from boh.settings import Settings

_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


class InvalidBlobKey(BohError):
    code = "blobs.invalid_key"
    status = 422


class BlobNotFound(NotFound):
    code = "blobs.not_found"


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> list[str]: ...


def validate_key(key: str) -> str:
    if not key or len(key) > 512 or any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in key.split("/")):
        raise InvalidBlobKey(f"invalid blob key {key[:80]!r}")
    return key


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # readers see the old or the new bytes, never a mix

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(f"blob {key!r} not found")
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        if not self.root.is_dir():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix) and not k.split("/")[-1].startswith(".tmp-"))


def open_blob_store(settings: Settings) -> BlobStore:
    return LocalBlobStore(settings.data_dir / "blobs")

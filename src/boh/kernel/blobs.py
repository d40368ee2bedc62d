"""Blob storage: files BOH keeps outside its database (audit checkpoints, exports, ...).

``open_blob_store(settings)`` gives a directory under the data dir by default, or an S3-compatible bucket
when ``settings.blobs.bucket`` is set (AWS S3, MinIO, Ceph, ...). Both behave the same:

- keys are relative paths of plain segments (``audit/checkpoints/7/000001.json``): letters, digits, ``.``,
  ``_`` and ``-``, separated by ``/``; no empty, ``.`` or ``..`` segment, no leading ``/``, at most 512
  characters. Anything else is refused with ``InvalidBlobKey`` before any storage is touched, so a key
  can never reach outside the store's directory or prefix;
- ``put`` replaces the whole blob at once (a reader sees the old or the new bytes, never a mix);
- ``get`` of a missing key raises ``BlobNotFound`` naming the key;
- ``list(prefix)`` returns the keys that start with ``prefix``, sorted.

Credentials are held as ``SecretStr`` and never logged; ``repr`` of a store names only its location.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from boh.kernel.errors import BohError, NotFound

if TYPE_CHECKING:
    from boh.settings import BlobSettings, Settings

MAX_KEY = 512
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


class InvalidBlobKey(BohError):
    code = "blobs.invalid_key"
    status = 422
    title = "Invalid blob key"


class BlobNotFound(NotFound):
    code = "blobs.not_found"
    title = "Blob not found"


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> list[str]: ...


def _check_segments(text: str, *, what: str, allow_trailing_slash: bool) -> None:
    if len(text) > MAX_KEY:
        raise InvalidBlobKey(f"the {what} is longer than {MAX_KEY} characters")
    body = text[:-1] if allow_trailing_slash and text.endswith("/") else text
    for seg in body.split("/"):
        if not _SEGMENT.fullmatch(seg) or seg in (".", ".."):
            raise InvalidBlobKey(
                f"invalid {what} {text[:80]!r}: use segments of letters, digits, '.', '_' and '-' separated by '/'"
            )


def validate_key(key: str) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidBlobKey("a blob key must be a non-empty string")
    _check_segments(key, what="blob key", allow_trailing_slash=False)
    return key


def validate_prefix(prefix: str) -> str:
    if prefix:
        _check_segments(prefix, what="blob prefix", allow_trailing_slash=True)
    return prefix


class LocalBlobStore:
    """Blobs as files under one directory (created on first use, owner-only permissions)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if self.root not in path.parents:  # a symlink inside the store cannot lead out of it either
            raise InvalidBlobKey(f"blob key {key[:80]!r} leads outside the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob '{key}' in {self!r}", key=key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        if not self.root.is_dir():
            return []
        keys = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)


class S3BlobStore:
    """Blobs as objects of one S3-compatible bucket, under an optional key prefix."""

    def __init__(self, cfg: BlobSettings) -> None:
        import boto3
        from botocore.config import Config

        if not cfg.bucket:
            raise ValueError("blobs.bucket is required for S3 storage")
        self.bucket = cfg.bucket
        self.endpoint_url = cfg.endpoint_url
        self.prefix = validate_prefix(cfg.prefix.strip("/") + "/") if cfg.prefix.strip("/") else ""
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=cfg.endpoint_url,
            region_name=cfg.region,
            aws_access_key_id=cfg.access_key_id.get_secret_value() if cfg.access_key_id else None,
            aws_secret_access_key=cfg.secret_access_key.get_secret_value() if cfg.secret_access_key else None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30),
        )

    def __repr__(self) -> str:
        where = self.endpoint_url or "aws"
        return f"S3BlobStore({where!r}, bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    @staticmethod
    def _missing(exc: Exception) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            obj = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._missing(exc):
                raise BlobNotFound(f"no blob '{key}' in {self!r}", key=key) from None
            raise
        return bytes(obj["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def list(self, prefix: str = "") -> list[str]:
        full = self.prefix + validate_prefix(prefix)
        keys: list[str] = []
        for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            keys.extend(obj["Key"][len(self.prefix) :] for obj in page.get("Contents", []))
        return sorted(keys)


def open_blob_store(settings: Settings) -> BlobStore:
    """The configured store: S3-compatible when ``blobs.bucket`` is set, else ``blobs.dir`` (default
    ``<data_dir>/blobs``)."""
    cfg = settings.blobs
    if cfg.bucket:
        return S3BlobStore(cfg)
    return LocalBlobStore(cfg.dir or settings.data_dir / "blobs")

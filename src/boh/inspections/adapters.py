"""ADAPTER (temporary): the shared building blocks inspections uses that other branches are adding right now.
Everything here is written against their described interfaces, so switching over is a change to this one
module:

- ``open_photo_store``: the BlobStore of ``boh.kernel.blobs`` (branch hardening-files: put/get/exists/list,
  a local directory by default, an S3-compatible bucket when ``BOH_BLOBS__BUCKET`` is set; the same
  ``BOH_BLOBS__*`` variables). Replace the two small classes below by ``open_blob_store(settings)``.
- ``tell``: ``boh.notify.api.notify`` (branch console: in-app + e-mail). Until it lands, the notification is
  written to the audit chain (``inspections.notify``: kind, message, recipients), so nothing is lost and tests
  can see who would have been told. Replace the body by ``notify(uow, kind=..., ...)``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
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

"""Application settings, read from ``BOH_*`` environment variables (nested with ``__``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseModel):
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    jwt_algorithm: str = "HS256"


class WorkerSettings(BaseModel):
    embedded: bool = True  # run outbox relay + jobs inside `boh serve` when no broker is set
    poll_seconds: float = 1.0
    batch_size: int = 200
    max_attempts: int = 10


class BlobSettings(BaseModel):
    """Where BOH keeps files outside the database (audit checkpoints, ...): a directory under the data
    dir by default (``dir``), or an S3-compatible bucket when ``bucket`` is set."""

    dir: Path | None = None  # default: <data_dir>/blobs
    endpoint_url: str | None = None  # e.g. https://minio.example:9000; None: the AWS endpoint of ``region``
    bucket: str | None = None
    region: str | None = None
    access_key_id: SecretStr | None = None
    secret_access_key: SecretStr | None = None
    prefix: str = ""


class AuditSettings(BaseModel):
    """Signed checkpoints of the audit chains (see boh.kernel.audit_checkpoints)."""

    signing_key_path: Path | None = None  # Ed25519 private key (PEM); default <data_dir>/audit-signing-key.pem
    generate_key: bool = True  # production: false, and mount the key from a secret
    trusted_public_keys: list[str] = Field(default_factory=list)  # base64 raw public keys of earlier keys
    checkpoint_minutes: int = 15  # how often the worker checkpoints every chain that moved


class SmtpSettings(BaseModel):
    """The SMTP server notifications are e-mailed through (``BOH_SMTP__HOST`` ...); no host: no e-mail."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True  # upgrade the connection with STARTTLS (off for a local relay on port 25)
    ssl: bool = False  # implicit TLS (port 465)
    from_address: str = "boh@localhost"
    timeout_seconds: float = 15.0


class HttpSettings(BaseModel):
    """How the server sees its own address behind a reverse proxy (``BOH_HTTP__...``)."""

    # Believe the proxy's X-Forwarded-Proto (https): only when every request comes through a proxy that sets
    # it (Ingress, nginx). It decides Strict-Transport-Security, Secure cookies and the same-origin check.
    trust_forwarded_proto: bool = False
    hsts_seconds: int = Field(default=365 * 86400, ge=365 * 86400)  # sent on HTTPS responses only


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOH_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path(".boh")
    database_url: str = ""
    secret_key: SecretStr | None = None
    broker_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    default_locale: str = "en"
    sql_echo: bool = False
    ingest_concurrency: int = 1  # floor-event batches one server process ingests at once (see ingest.routes)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    blobs: BlobSettings = Field(default_factory=BlobSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    public_url: str = "http://127.0.0.1:8000"  # the console's address, for links in e-mails

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'boh.sqlite3').resolve()}"

    def resolved_secret_key(self) -> str:
        """The signing key. Without BOH_SECRET_KEY a random one is kept in the data dir (dev only)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()

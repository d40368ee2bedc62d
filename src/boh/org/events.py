"""Facts the org domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from boh.kernel.events import Event


@dataclass(frozen=True)
class TenantCreated(Event):
    topic = "org.tenant_created"
    code: str


@dataclass(frozen=True)
class SiteCreated(Event):
    topic = "org.site_created"
    site_id: int
    code: str
    kind: str


@dataclass(frozen=True)
class SiteUpdated(Event):
    topic = "org.site_updated"
    site_id: int
    changed: tuple[str, ...]


@dataclass(frozen=True)
class UserCreated(Event):
    topic = "org.user_created"
    user_id: int
    username: str

"""The entrypoints' view of the domain manifests (``boh.domains``): each function resolves one kind of
``"module:attribute"`` reference of every domain, in layer order. Only the entrypoints (web, cli, worker,
bootstrap) use it; nothing in a domain imports it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from boh.domains import DOMAINS
from boh.kernel.manifest import CliGroup, JobSpec, Manifest, resolve


def manifests() -> tuple[Manifest, ...]:
    return DOMAINS


def import_models() -> None:
    for m in DOMAINS:
        for module in m.models:
            resolve(module)


def api_routers() -> Iterator[Any]:
    for m in DOMAINS:
        for ref in m.api_routers:
            yield resolve(ref)


def page_routers() -> Iterator[Any]:
    for m in DOMAINS:
        for ref in m.page_routers:
            yield resolve(ref)


def nav_links() -> list[Any]:
    return [link for m in DOMAINS if m.nav for link in resolve(m.nav)]


def tile_sources() -> list[Callable[[Any], list[Any]]]:
    return [resolve(m.tiles) for m in DOMAINS if m.tiles]


def today_sources() -> list[Callable[..., list[Any]]]:
    return [resolve(m.today) for m in DOMAINS if m.today]


def cli_groups() -> list[CliGroup]:
    return [group for m in DOMAINS for group in m.cli]


def jobs() -> list[JobSpec]:
    return [job for m in DOMAINS if m.jobs for job in resolve(m.jobs)]


def wire_events(bus: Any) -> None:
    for m in DOMAINS:
        if m.events:
            resolve(m.events)(bus)

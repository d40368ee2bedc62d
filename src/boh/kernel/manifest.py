"""What a domain declares about itself, in one place: ``boh/<domain>/manifest.py`` holds ``MANIFEST``, and
``boh.domains`` lists the manifests, lowest layer first. The app (API routers), the console (page routers,
navigation, home tiles), the CLI, the worker (jobs), the event wiring, the permission vocabulary and the
roles, the model registry (Alembic) and the import contracts (``.importlinter`` is generated from them) all
read the manifests, so that adding a domain is: write the domain, its ``manifest.py``, and one line in
``boh/domains.py``.

A manifest is data: it imports nothing but this module (a test holds every manifest to that), and names the
domain's composition modules as ``"module:attribute"`` references that the entrypoints resolve. The
entrypoints are the only modules that import a domain's composition modules, so a manifest never widens what
a domain may import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The composition modules of a domain (or of its sub-packages): what the entrypoints may import besides
# ``api`` and ``events``.
COMPOSITION_MODULES: tuple[str, ...] = (
    "routes", "pages", "cli", "models", "handlers", "tasks", "service", "schemas", "imports", "auth",
)  # fmt: skip
ENTRYPOINTS: tuple[str, ...] = ("boh.web", "boh.cli", "boh.worker", "boh.bootstrap", "boh.registry", "boh.demo")


@dataclass(frozen=True)
class CliGroup:
    """A ``boh <name>`` sub-command group; ``register`` is a ``"module:function"`` called as
    ``register(app, get_runtime)`` (the function adds its Typer group or commands to the root app)."""

    name: str
    help: str
    register: str


@dataclass(frozen=True)
class JobSpec:
    """A background job of a domain, declared in its ``tasks.py`` (``JOBS``) and registered by the worker:
    ``fn(runtime, **kwargs)``, run every ``every_seconds`` or daily at ``daily_at`` (HH:MM in ``timezone``), or
    only on demand when neither is set."""

    name: str
    fn: Callable[..., Any]
    every_seconds: int | None = None
    daily_at: str | None = None
    timezone: str = "UTC"
    lease_seconds: int | None = None
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    name: str  # the package under boh/ and the prefix of its tables, permissions and routes
    summary: str
    # Layer rank: a domain may import the api/events of domains of a lower rank; same rank = same row,
    # independent of each other (GUIDE.md section 2).
    rank: int
    permissions: tuple[str, ...] = ()
    # role -> the permissions of this domain it holds (hq_admin holds every permission of every domain)
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    models: tuple[str, ...] = ()  # modules whose import registers the domain's tables
    api_routers: tuple[str, ...] = ()  # "module:router" of the JSON API (each router carries its /api/v1 prefix)
    page_routers: tuple[str, ...] = ()  # "module:router" of console pages under /<name>/
    nav: str | None = None  # "module:NAV": the console navigation links
    tiles: str | None = None  # "module:function(uow) -> list[Tile]": home page tiles
    # "module:function(session, principal, site_id) -> list[boh.http.today.TodayPart]": the domain's part of
    # the home ("today") page: to-dos, key figures, charts (see boh.http.today)
    today: str | None = None
    cli: tuple[CliGroup, ...] = ()
    jobs: str | None = None  # "module:JOBS": a tuple of JobSpec
    events: str | None = None  # "module:function(bus)" subscribing the domain's handlers (explicit code)
    # sub-packages (e.g. "ingest") whose composition modules the entrypoints may import, and extra
    # composition module names of this domain beyond COMPOSITION_MODULES
    subpackages: tuple[str, ...] = ()
    extra_composition: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        return f"boh.{self.name}"


def resolve(ref: str) -> Any:
    """The object a ``"module:attribute"`` reference names (entrypoints only)."""
    module, _, attr = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj

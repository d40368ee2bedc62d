"""Background jobs of inspections (registered by the worker from the manifest)."""

from __future__ import annotations

from boh.kernel.manifest import JobSpec

JOBS: tuple[JobSpec, ...] = ()

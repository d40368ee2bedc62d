"""Background jobs of the inventory domain (registered by the worker from the manifest)."""

from __future__ import annotations

from boh.inventory.commitments.tasks import expire_reservations
from boh.kernel.manifest import JobSpec

JOBS = (JobSpec("inventory.reservations.expire", expire_reservations, every_seconds=60),)

"""The kitchen's wiring (the manifest's ``events`` hook, called by the composition root): its depletion rule
is registered with the inventory's floor-event ingestion. The kitchen subscribes to no event yet."""

from __future__ import annotations

from typing import Any

from boh.inventory.api import register_depletion_rule
from boh.kitchen.depletion import RULE


def subscribe(bus: Any) -> None:
    register_depletion_rule(RULE)

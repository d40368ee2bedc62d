"""The demo chain's policy simulation: one stored run on a small generated chain (three stores, eight fresh
products, ninety days with stockout hours), so the simulation page shows both curves and the day-by-day
charts without the shared FreshRetailNet data."""

from __future__ import annotations

from boh.kernel.uow import UnitOfWork
from boh.replenishment.simulation import service


def load_simulation(uow: UnitOfWork) -> int:
    return service.demo_run(uow).id

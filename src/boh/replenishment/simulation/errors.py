"""Errors of the policy simulation, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import NotFound


class RunNotFound(NotFound):
    code = "replenishment.simulation_not_found"
    title = "Simulation run not found"

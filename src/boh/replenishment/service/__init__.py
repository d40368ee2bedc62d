"""Use cases of replenishment: runs (``run``), review and approval (``review``), automatic ordering
(``auto``), release to orders (``release``). Permission names live in ``_common``."""

from __future__ import annotations

from boh.replenishment.service import auto, config, release, review, run
from boh.replenishment.service._common import APPROVE, PERMISSIONS, READ, REVIEW, RULES, RUN

__all__ = ["APPROVE", "PERMISSIONS", "READ", "REVIEW", "RULES", "RUN", "auto", "config", "release", "review", "run"]

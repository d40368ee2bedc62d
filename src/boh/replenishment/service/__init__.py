"""Use cases of replenishment: runs (``run``), review and approval (``review``), automatic ordering
(``auto``). Permission names used by the entrypoints live here."""

from __future__ import annotations

READ = "replenishment.read"
RUN = "replenishment.run"
REVIEW = "replenishment.review"
APPROVE = "replenishment.approve"
RULES = "replenishment.rules"
PERMISSIONS = (READ, RUN, REVIEW, APPROVE, RULES)

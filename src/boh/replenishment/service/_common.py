"""Permission names of replenishment (used by the use cases and the entrypoints)."""

from __future__ import annotations

READ = "replenishment.read"
RUN = "replenishment.run"
REVIEW = "replenishment.review"
APPROVE = "replenishment.approve"
RULES = "replenishment.rules"
PERMISSIONS = (READ, RUN, REVIEW, APPROVE, RULES)

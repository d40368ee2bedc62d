"""Errors of replenishment, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import BohError, Conflict, NotFound


class NoSuchRun(NotFound):
    code = "replenishment.run_not_found"
    title = "Suggestion run not found"


class NoSuchLine(NotFound):
    code = "replenishment.line_not_found"
    title = "Suggestion line not found"


class RunInputInvalid(BohError):
    code = "replenishment.run_input_invalid"
    status = 422
    title = "The run cannot be started with this input"


class LineNotReviewable(Conflict):
    code = "replenishment.line_not_reviewable"
    title = "The line can no longer be changed"


class NothingToApprove(Conflict):
    code = "replenishment.nothing_to_approve"
    title = "The line is not waiting for this approval"


class ReleaseUnavailable(Conflict):
    code = "replenishment.release_unavailable"
    title = "Placing orders is not available yet"


class SelfApproval(Conflict):
    """Four eyes: the person who changed a line cannot approve the change."""

    code = "replenishment.self_approval"
    title = "The person who changed the line cannot approve it"


class NoSuchPolicy(NotFound):
    code = "replenishment.policy_not_found"
    title = "Replenishment policy not found"


class NoSuchSourcing(NotFound):
    code = "replenishment.sourcing_not_found"
    title = "Sourcing rule not found"


class NoSuchBudget(NotFound):
    code = "replenishment.budget_not_found"
    title = "Budget not found"

"""Errors of stocktakes, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound, PermissionDenied


class CountNotFound(NotFound):
    code = "inventory.count_not_found"
    title = "Count not found"


class WrongCountStatus(Conflict):
    code = "inventory.count_wrong_status"
    title = "The count is not in a state that allows this"


class ManagerApprovalRequired(PermissionDenied):
    code = "inventory.count_manager_approval_required"
    title = "A manager must approve a count with this variance value"

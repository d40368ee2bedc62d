"""Use cases of inspections: one public function per command, ``uow`` first; they check the principal's
scope, audit what changed and publish events; they never commit. Split by area."""

from boh.inspections.service._common import (
    A_READ,
    A_REVIEW,
    A_WRITE,
    ANALYTICS,
    P_READ,
    P_WRITE,
    SETTINGS,
    T_READ,
    T_WRITE,
    V_READ,
    V_WRITE,
)
from boh.inspections.service.templates import (
    create_template,
    export_template,
    import_template,
    publish,
    update_template,
)

__all__ = [
    "ANALYTICS",
    "A_READ",
    "A_REVIEW",
    "A_WRITE",
    "P_READ",
    "P_WRITE",
    "SETTINGS",
    "T_READ",
    "T_WRITE",
    "V_READ",
    "V_WRITE",
    "create_template",
    "export_template",
    "import_template",
    "publish",
    "update_template",
]

"""Errors of the cold-chain domain, with stable codes."""

from __future__ import annotations

from boh.kernel.errors import Conflict, NotFound


class UnitNotFound(NotFound):
    code = "coldchain.unit_not_found"
    title = "Unit not found"


class ExcursionNotFound(NotFound):
    code = "coldchain.excursion_not_found"
    title = "Excursion not found"


class ExposureNotFound(NotFound):
    code = "coldchain.exposure_not_found"
    title = "Lot exposure not found"


class AlreadyDecided(Conflict):
    code = "coldchain.already_decided"
    title = "The lot is not waiting for a decision"


class DuplicateCode(Conflict):
    code = "coldchain.duplicate_code"
    title = "The code is already used"


class DeadLetterNotFound(NotFound):
    code = "coldchain.dead_letter_not_found"
    title = "Dead letter not found"

"""Use cases of the cold chain (each takes the caller's unit of work; the caller commits)."""

from __future__ import annotations

from boh.coldchain.service._common import DECIDE, INGEST, READ, RECORD, WRITE, get_unit, limits
from boh.coldchain.service.deadletters import list_letters, open_ids, replay, replay_many
from boh.coldchain.service.detect import rejudge
from boh.coldchain.service.lots import decide, lots_in_unit
from boh.coldchain.service.readings import ingest, keep_dead_letters
from boh.coldchain.service.records import add_record
from boh.coldchain.service.units import add_sensor, create_unit, place_lot, update_unit

__all__ = [
    "DECIDE", "INGEST", "READ", "RECORD", "WRITE", "add_record", "add_sensor", "create_unit", "decide", "get_unit",
    "ingest", "keep_dead_letters", "limits", "list_letters", "lots_in_unit", "open_ids", "place_lot", "rejudge",
    "replay", "replay_many", "update_unit",
]  # fmt: skip

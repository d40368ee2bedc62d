"""The cold-chain domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

_READ, _WRITE, _INGEST = "coldchain.unit.read", "coldchain.unit.write", "coldchain.readings.write"
_DECIDE, _RECORD = "coldchain.excursion.decide", "coldchain.record.write"

MANIFEST = Manifest(
    name="coldchain",
    summary="Fridges, freezers, hot holding and vehicles: sensor readings, excursions, quarantined lots, HACCP log.",
    rank=40,  # above inventory: it reads lots on hand and holds them through boh.inventory.api
    permissions=(_READ, _WRITE, _INGEST, _DECIDE, _RECORD),
    grants={
        "regional_manager": (_READ, _DECIDE),
        "store_manager": (_READ, _WRITE, _DECIDE, _RECORD),
        "store_staff": (_READ, _RECORD),
        "inspector": (_READ,),
        "device": (_INGEST,),
    },
    models=("boh.coldchain.models",),
    api_routers=("boh.coldchain.routes:router",),
    page_routers=("boh.coldchain.pages:router",),
    nav="boh.coldchain.pages:NAV",
    cli=(CliGroup("coldchain", "Cold chain: MQTT readings, dropout checks.", "boh.coldchain.cli:register"),),
    jobs="boh.coldchain.tasks:JOBS",
    extra_composition=("mqtt", "simulator"),
)

"""The trace domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

_READ, _RECALL, _CONFIRM, _IMPORT = "trace.read", "trace.recall.write", "trace.recall.confirm", "trace.epcis.import"

MANIFEST = Manifest(
    name="trace",
    summary="Lot genealogy across the chain, recalls and drills, FSMA 204 records and GS1 EPCIS 2.0.",
    rank=45,  # above inventory (reads the ledger, holds lots) and the cold chain (its lots' sensor data)
    permissions=(_READ, _RECALL, _CONFIRM, _IMPORT),
    grants={
        "regional_manager": (_READ, _RECALL, _CONFIRM, _IMPORT),
        "store_manager": (_READ, _CONFIRM),
        "store_staff": (_READ,),
        "inspector": (_READ, _RECALL, _IMPORT),
        "buyer": (_READ, _IMPORT),
    },
    models=("boh.trace.models",),
    api_routers=("boh.trace.routes:router",),
    page_routers=("boh.trace.pages:router",),
    nav="boh.trace.pages:NAV",
)

"""The inventory domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import CliGroup, Manifest

MANIFEST = Manifest(
    name="inventory",
    summary="The stock ledger, lots, balances, value, commitments, stocktakes and floor-event ingestion.",
    rank=30,
    permissions=(
        "inventory.stock.read",
        "inventory.move.write",
        "inventory.events.write",
        "inventory.reservation.write",
        "inventory.incoming.write",
        "inventory.settings.write",
        "inventory.lot.hold",
        "inventory.count.read",
        "inventory.count.write",
        "inventory.count.approve",
        # approving a count whose variance value is above the tenant's threshold, at the sites it is held for
        "inventory.count.approve_over_threshold",
    ),
    grants={
        "regional_manager": (
            "inventory.stock.read",
            "inventory.count.read",
            "inventory.count.approve",
            "inventory.count.approve_over_threshold",
            "inventory.lot.hold",
        ),
        "store_manager": (
            "inventory.stock.read",
            "inventory.move.write",
            "inventory.reservation.write",
            "inventory.incoming.write",
            "inventory.count.read",
            "inventory.count.write",
            "inventory.count.approve",
            "inventory.lot.hold",
        ),
        "store_staff": (
            "inventory.stock.read",
            "inventory.move.write",
            "inventory.events.write",
            "inventory.count.read",
            "inventory.count.write",
        ),
        "inspector": ("inventory.stock.read", "inventory.count.read", "inventory.lot.hold"),
        "buyer": ("inventory.stock.read", "inventory.incoming.write"),
        "accountant": ("inventory.stock.read",),
        "device": ("inventory.move.write", "inventory.events.write"),
    },
    models=(
        "boh.inventory.models",
        "boh.inventory.commitments.models",
        "boh.inventory.counts.models",
        "boh.inventory.ingest.models",
        "boh.inventory.receiving.models",
        "boh.inventory.transfers.models",
    ),
    api_routers=(
        "boh.inventory.routes:router",
        "boh.inventory.counts.routes:router",
        "boh.inventory.commitments.routes:router",
        "boh.inventory.ingest.routes:router",
        "boh.inventory.live.routes:router",
        "boh.inventory.lotholds.routes:router",
    ),
    page_routers=("boh.inventory.pages:router",),
    today="boh.inventory.dashboard.pages:today_parts",
    nav="boh.inventory.pages:NAV",
    cli=(CliGroup("inventory", "Stock ledger tools: rebuild and check balances.", "boh.inventory.cli:register"),),
    jobs="boh.inventory.tasks:JOBS",
    events="boh.inventory.handlers:subscribe",
    subpackages=(
        "commitments",
        "counts",
        "ingest",
        "live",
        "ledger",
        "dashboard",
        "receiving",
        "transfers",
        "lotholds",
    ),
    extra_composition=("mqtt",),
)

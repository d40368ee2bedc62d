"""Read models of the trace domain: a lot's trace with names (for the API and the explorer) and its graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.catalog.api import item_view
from boh.inventory import api as inventory
from boh.kernel.tenancy import Scope
from boh.org.api import site_view
from boh.trace.errors import LotNotFound
from boh.trace.genealogy import Direction, Trace, trace
from boh.trace.source import LedgerSource

_item, _site = item_view(), site_view()


@dataclass(frozen=True)
class Node:
    lot_id: int
    lot_code: str
    item_id: int
    sku: str
    name: str
    name_zh: str | None
    depth: int
    expiry_date: Any
    on_hold: bool
    on_hand: Decimal
    sold: Decimal
    in_transit: Decimal
    sites: str  # site codes where it is or went


@dataclass(frozen=True)
class Link:
    parent: int
    child: int
    batch: str
    consumed: Decimal
    made: Decimal
    at: datetime


@dataclass(frozen=True)
class TraceView:
    root: int
    direction: Direction
    depth: int | None
    nodes: list[Node]
    links: list[Link]
    untracked: int
    complete: bool
    trace: Trace

    def graph(self) -> dict[str, Any]:
        """The ECharts graph payload (static/trace-graph.js): nodes by level, links by batch."""
        levels: dict[int, int] = {}
        nodes = []
        for n in sorted(self.nodes, key=lambda n: (n.depth, n.sku, n.lot_code)):
            row = levels.get(n.depth, 0)
            levels[n.depth] = row + 1
            x = n.depth if self.direction == "forward" else -n.depth
            nodes.append({"id": str(n.lot_id), "name": f"{n.lot_code}", "sku": n.sku, "x": x * 220, "y": row * 70,
                          "root": n.lot_id == self.root, "held": n.on_hold, "depth": n.depth,
                          "link": f"/trace/?lot_id={n.lot_id}&direction={self.direction}"})  # fmt: skip
        links = [{"source": str(x.parent), "target": str(x.child), "label": x.batch} for x in self.links]
        return {"nodes": nodes, "links": links}


def lot_trace(session: Session, scope: Scope, lot_id: int, direction: Direction, depth: int | None) -> TraceView:
    facts = inventory.lot_facts(session, scope.tenant_id, [lot_id])
    if lot_id not in facts:
        raise LotNotFound(f"lot {lot_id} not found")
    t = trace(LedgerSource(session, scope.tenant_id), [lot_id], direction, depth)
    return view(session, scope, t, lot_id, depth)


def view(session: Session, scope: Scope, t: Trace, root: int, depth: int | None) -> TraceView:
    facts = inventory.lot_facts(session, scope.tenant_id, t.lots)
    item_ids = sorted({f.item_id for f in facts.values()})
    items = {r.id: r for r in session.execute(select(_item).where(_item.c.id.in_(item_ids)))} if item_ids else {}
    positions = t.positions()
    site_ids = sorted({p.site_id for p in positions})
    sites = (
        {r.id: r.code for r in session.execute(select(_site.c.id, _site.c.code).where(_site.c.id.in_(site_ids)))}
        if site_ids
        else {}
    )
    visible = scope.site_ids
    nodes = []
    for lot_id, d in sorted(t.depth.items(), key=lambda kv: (kv[1], kv[0])):
        f = facts.get(lot_id)
        if f is None:
            continue
        item = items.get(f.item_id)
        mine = [p for p in positions if p.lot_id == lot_id and (visible is None or p.site_id in visible)]
        nodes.append(Node(
            lot_id, f.lot_code, f.item_id, item.sku if item is not None else "",
            item.name_en if item is not None else "",
            item.name_zh if item is not None else None, d, f.expiry_date, f.on_hold,
            sum((p.on_hand for p in mine), Decimal(0)), sum((p.sold for p in mine), Decimal(0)),
            sum((p.in_transit for p in mine), Decimal(0)),
            ", ".join(sorted({sites.get(p.site_id, str(p.site_id)) for p in mine})),
        ))  # fmt: skip
    links = [Link(e.parent, e.child, f"{e.batch[0]} {e.batch[1]}", e.consumed, e.made, e.at) for e in t.edges]
    return TraceView(root, t.direction, depth, nodes, links, len(t.untracked), t.complete, t)


def find_lots(session: Session, scope: Scope, code: str) -> list[int]:
    """Lots with this code (any item), for the explorer's search."""
    return inventory.lots_of_code(session, scope.tenant_id, code.strip())


def positions_rows(v: TraceView, scope: Scope) -> Sequence[Any]:
    return [p for p in v.trace.positions() if scope.site_ids is None or p.site_id in scope.site_ids]


def supplier_events(session: Session, scope: Scope, v: TraceView, base: str, limit: int = 50) -> list[Any]:
    """Imported EPCIS events (a supplier's harvesting, packing, shipping...) that name the traced lots by
    their GS1 Digital Link, and the events linked to those."""
    from boh.trace import epcis

    n = epcis.names(session, scope.tenant_id, [], extra_lots=[x.lot_id for x in v.nodes])
    uris = [epcis.lot_uri(n.gtins.get(x.item_id), x.sku, x.lot_code, base) for x in v.nodes if x.item_id in n.gtins]
    return epcis.external_trace(session, scope.tenant_id, uris)[:limit] if uris else []

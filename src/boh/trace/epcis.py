"""GS1 EPCIS 2.0 JSON-LD: the chain's moves as events, and supplier documents imported for tracing.

Export: receipts, shipping (transfer out), receiving (transfer in), sales and waste are ObjectEvents with
the CBV business step and disposition; a production batch is one TransformationEvent (its consumed lots
in, its made lots out). Lots are class-level identifiers: the GS1 Digital Link
``https://id.gs1.org/01/{GTIN-14}/10/{lot}`` when the item has a GTIN, else a URI of this BOH under
``/id/sku/{sku}/10/{lot}``. Sites are ``{public_url}/id/site/{code}`` (readPoint / bizLocation).

Import: every event of an EPCISDocument (or an EPCISQueryDocument's results) is kept whole with the
identifiers it names, normalised (EPC URNs of GTIN classes and instances become Digital Links), so a
trace by identifier finds them and walks their transformations; an event already imported (same
eventID, else same content) is not stored twice. Validation against the standard's JSON schema with format
checks is ``validator(schema)`` (the schema file is not shipped: give its path)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from boh.catalog.api import barcode_view, item_view
from boh.coldchain import api as coldchain
from boh.inventory import api as inventory
from boh.inventory.api import LotFact, PostedMove
from boh.kernel.uow import UnitOfWork
from boh.org.api import site_view
from boh.trace.errors import BadEpcisDocument
from boh.trace.models import EpcisEvent, EpcisIdentifier

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DL = "https://id.gs1.org"
UOM = {"kg": "KGM", "g": "GRM", "l": "LTR", "ml": "MLT"}
OBJECT_STEPS: dict[str, tuple[str, str]] = {  # move type -> (bizStep, disposition)
    "receipt": ("receiving", "in_progress"),
    "transfer_out": ("shipping", "in_transit"),
    "transfer_in": ("receiving", "in_progress"),
    "sale": ("retail_selling", "retail_sold"),
    "waste": ("destroying", "destroyed"),
}
IMPORT = "trace.epcis.import"
_item, _barcode, _site = item_view(), barcode_view(), site_view()
NAMESPACE = uuid.UUID("6f1e2b1c-4d1a-4f55-9c3e-2d8b7e0c9a10")


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin14(gtin: str) -> str:
    return gtin.zfill(14)


def lot_uri(gtin: str | None, sku: str, lot_code: str, base: str) -> str:
    from urllib.parse import quote

    lot = quote(lot_code, safe="")
    if gtin:
        return f"{DL}/01/{gtin14(gtin)}/10/{lot}"
    return f"{base}/id/sku/{quote(sku, safe='')}/10/{lot}"


# --- identifiers ---------------------------------------------------------------------------------------

_SGTIN = re.compile(r"^urn:epc:id:sgtin:(\d+)\.(\d+)\.(.+)$")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$")
_DL = re.compile(r"^https?://[^/]+(?:/.*)?/01/(\d{8,14})(?:/(10|21)/([^/?#]+))?")


def _gtin_of(company: str, ref: str) -> str:
    body = ref[:1] + company + ref[1:]
    return body + check_digit(body)


def normalise(identifier: str) -> str:
    """One spelling per identifier: GTIN-based EPC URNs and Digital Links of any host become
    ``https://id.gs1.org/01/{GTIN-14}[/10/{lot}|/21/{serial}]``; anything else is kept as given."""
    s = identifier.strip()
    if m := _LGTIN.match(s):
        return f"{DL}/01/{_gtin_of(m[1], m[2])}/10/{m[3]}"
    if m := _SGTIN.match(s):
        return f"{DL}/01/{_gtin_of(m[1], m[2])}/21/{m[3]}"
    if m := _DL.match(s):
        tail = f"/{m[2]}/{m[3]}" if m[2] else ""
        return f"{DL}/01/{gtin14(m[1])}{tail}"
    return s


def event_identifiers(ev: dict[str, Any]) -> list[tuple[str, str]]:
    """(identifier, role) of everything an event names, normalised."""
    out: list[tuple[str, str]] = []
    for key, role in (("epcList", "object"), ("inputEPCList", "input"), ("outputEPCList", "output"),
                      ("childEPCs", "child")):  # fmt: skip
        out += [(normalise(e), role) for e in ev.get(key) or [] if isinstance(e, str)]
    for key, role in (("quantityList", "object"), ("inputQuantityList", "input"),
                      ("outputQuantityList", "output"), ("childQuantityList", "child")):  # fmt: skip
        out += [
            (normalise(q["epcClass"]), role) for q in ev.get(key) or [] if isinstance(q, dict) and q.get("epcClass")
        ]
    if isinstance(ev.get("parentID"), str):
        out.append((normalise(ev["parentID"]), "parent"))
    for key, role in (("readPoint", "read_point"), ("bizLocation", "biz_location")):
        if isinstance(ev.get(key), dict) and isinstance(ev[key].get("id"), str):
            out.append((normalise(ev[key]["id"]), role))
    return list(dict.fromkeys(out))


# --- validation --------------------------------------------------------------------------------------------


def validator(schema_path: Path) -> Any:
    """A jsonschema validator of the EPCIS 2.0 schema with format checks on (URIs, date-times): without
    them a bizStep like "cooking" passes unnoticed."""
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(doc: Any, schema_validator: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}" for e in schema_validator.iter_errors(doc)
    ]


# --- export ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    lots: dict[int, LotFact]
    items: dict[int, Any]
    gtins: dict[int, str]
    sites: dict[int, Any]


def names(session: Session, tenant_id: int, moves: Sequence[PostedMove], extra_lots: Iterable[int] = ()) -> Names:
    lot_ids = {m.lot_id for m in moves if m.lot_id is not None} | set(extra_lots)
    lots = inventory.lot_facts(session, tenant_id, lot_ids)
    item_ids = sorted({m.item_id for m in moves} | {f.item_id for f in lots.values()})
    site_ids = sorted({m.site_id for m in moves} | {m.counter_site_id for m in moves if m.counter_site_id})
    items: dict[int, Any] = {}
    gtins: dict[int, str] = {}
    for start in range(0, len(item_ids), 1000):
        chunk = item_ids[start : start + 1000]
        items.update({r.id: r for r in session.execute(select(_item).where(_item.c.id.in_(chunk)))})
        stmt = select(_barcode.c.item_id, _barcode.c.gtin).where(
            _barcode.c.item_id.in_(chunk), _barcode.c.uom.is_(None)
        )
        for item_id, gtin in session.execute(stmt.order_by(_barcode.c.gtin)):
            gtins.setdefault(item_id, gtin)
    sites = (
        {
            r.id: r
            for r in session.execute(select(_site).where(_site.c.tenant_id == tenant_id, _site.c.id.in_(site_ids)))
        }
        if site_ids
        else {}
    )
    return Names(lots, items, gtins, sites)


def _qty(n: Names, item_id: int, lot_id: int | None, quantity: Decimal, base: str) -> dict[str, Any] | None:
    if lot_id is None or lot_id not in n.lots:
        return None
    item = n.items.get(item_id)
    sku = item.sku if item is not None else str(item_id)
    q: dict[str, Any] = {"epcClass": lot_uri(n.gtins.get(item_id), sku, n.lots[lot_id].lot_code, base),
                         "quantity": float(abs(quantity))}  # fmt: skip
    uom = UOM.get(item.base_uom) if item is not None else None
    if uom:
        q["uom"] = uom
    return q


def _site_uri(n: Names, site_id: int, base: str) -> str:
    from urllib.parse import quote

    site = n.sites.get(site_id)
    return f"{base}/id/site/{quote(site.code if site is not None else str(site_id), safe='')}"


def _time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _event_id(tenant_id: int, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{tenant_id}:{key}')}"


def visible(moves: Iterable[PostedMove], site_ids: frozenset[int] | None) -> list[PostedMove]:
    """The moves a caller limited to ``site_ids`` may see (None: all): at their sites, and transfers only
    between them."""
    if site_ids is None:
        return list(moves)
    return [m for m in moves if m.site_id in site_ids and (m.counter_site_id is None or m.counter_site_id in site_ids)]


def events(
    session: Session, tenant_id: int, moves: Sequence[PostedMove], base: str, site_ids: frozenset[int] | None = None
) -> list[dict[str, Any]]:
    """The EPCIS events of these moves (production moves grouped by batch), by time; ``site_ids``: only
    what a caller limited to these sites may see."""
    moves = visible(moves, site_ids)
    batches: dict[tuple[str, str], list[PostedMove]] = defaultdict(list)
    for m in moves:
        if m.move_type in ("production_consume", "production_output") and m.source_type and m.source_id:
            batches[(m.source_type, m.source_id)].append(m)
    if batches:  # a batch's every move, though only part of it was asked for
        whole = visible(inventory.batch_moves(session, tenant_id, batches), site_ids)
        batches = defaultdict(list)
        for m in whole:
            batches[(m.source_type or "", m.source_id or "")].append(m)
    flat = [m for m in moves if m.move_type in OBJECT_STEPS] + [m for g in batches.values() for m in g]
    n = names(session, tenant_id, flat)
    out: list[tuple[datetime, int, dict[str, Any]]] = []
    for m in moves:
        step = OBJECT_STEPS.get(m.move_type)
        q = _qty(n, m.item_id, m.lot_id, m.quantity, base) if step else None
        if step is None or q is None:
            continue
        ev: dict[str, Any] = {
            "type": "ObjectEvent", "eventID": _event_id(tenant_id, f"move:{m.id}"), "eventTime": _time(m.event_at),
            "eventTimeZoneOffset": "+00:00", "action": "ADD" if m.move_type == "receipt" else "OBSERVE",
            "bizStep": step[0], "disposition": step[1], "epcList": [], "quantityList": [q],
            "readPoint": {"id": _site_uri(n, m.site_id, base)}, "bizLocation": {"id": _site_uri(n, m.site_id, base)},
        }  # fmt: skip
        if m.move_type == "transfer_out" and m.counter_site_id:
            ev["sourceList"] = [{"type": "location", "source": _site_uri(n, m.site_id, base)}]
            ev["destinationList"] = [{"type": "location", "destination": _site_uri(n, m.counter_site_id, base)}]
            del ev["bizLocation"]
        if m.source_id and m.move_type == "receipt":
            ev["bizTransactionList"] = [{"type": "desadv", "bizTransaction": f"{base}/id/receipt/{m.source_id}"}]
        out.append((m.event_at, m.id, ev))
    for (stype, sid), group in sorted(batches.items()):
        ins = [
            q
            for m in group
            if m.move_type == "production_consume" and (q := _qty(n, m.item_id, m.lot_id, m.quantity, base))
        ]
        outs = [
            q
            for m in group
            if m.move_type == "production_output" and (q := _qty(n, m.item_id, m.lot_id, m.quantity, base))
        ]
        if not outs:
            continue
        first = min(group, key=lambda m: (m.event_at, m.id))
        ev = {
            "type": "TransformationEvent", "eventID": _event_id(tenant_id, f"batch:{stype}:{sid}"),
            "eventTime": _time(first.event_at), "eventTimeZoneOffset": "+00:00",
            "inputQuantityList": ins, "outputQuantityList": outs, "bizStep": "commissioning", "disposition": "active",
            "readPoint": {"id": _site_uri(n, first.site_id, base)},
            "bizLocation": {"id": _site_uri(n, first.site_id, base)},
            "transformationID": f"{base}/id/batch/{stype}/{sid}",
        }  # fmt: skip
        out.append((first.event_at, first.id, ev))
    out += _sensor_events(session, tenant_id, n, base, site_ids)
    return [ev for _, _, ev in sorted(out, key=lambda x: (x[0], x[1]))]


SENSOR_DISPOSITIONS = {"flagged": "in_progress", "quarantined": "non_sellable_other", "released": "active",
                       "wasted": "destroyed"}  # fmt: skip


def _sensor_events(
    session: Session, tenant_id: int, n: Names, base: str, site_ids: frozenset[int] | None
) -> list[tuple[datetime, int, dict[str, Any]]]:
    """The cold chain's sensor data of the lots in the events: one ObjectEvent (bizStep sensor_reporting)
    per excursion a lot was exposed to, with the unit's readings over it (min/max/mean, the limit broken
    as an ALARM_CONDITION) and the lot's decision as its disposition."""
    from urllib.parse import quote

    out: list[tuple[datetime, int, dict[str, Any]]] = []
    for r in coldchain.lot_sensor_reports(session, tenant_id, n.lots, site_ids):
        item = n.items.get(r.item_id)
        sku = item.sku if item is not None else str(r.item_id)
        site = _site_uri(n, r.site_id, base)
        report: dict[str, Any] = {"type": "gs1:Temperature", "exception": "ALARM_CONDITION", "uom": "CEL"}
        for key, value in (("minValue", r.min_c), ("maxValue", r.max_c), ("meanValue", r.mean_c)):
            if value is not None:
                report[key] = float(value)
        metadata: dict[str, Any] = {"startTime": _time(r.started_at),
                                    "bizRules": f"{base}/id/coldchain-limit/{r.direction}/{r.limit_c}"}  # fmt: skip
        if r.ended_at is not None:
            metadata["endTime"] = _time(r.ended_at)
        if r.sensors:
            metadata["deviceID"] = f"{base}/id/sensor/{quote(r.sensors[0], safe='')}"
        at = r.ended_at or r.started_at
        ev: dict[str, Any] = {
            "type": "ObjectEvent", "eventID": _event_id(tenant_id, f"exposure:{r.lot_id}:{r.started_at.isoformat()}"),
            "eventTime": _time(at), "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
            "bizStep": "sensor_reporting", "disposition": SENSOR_DISPOSITIONS.get(r.decision, "in_progress"),
            "epcList": [], "quantityList": [{"epcClass": lot_uri(n.gtins.get(r.item_id), sku, n.lots[r.lot_id].lot_code,
                                                                 base)}],
            "readPoint": {"id": f"{site}/unit/{quote(r.unit_code, safe='')}"}, "bizLocation": {"id": site},
            "sensorElementList": [{"sensorMetadata": metadata, "sensorReport": [report]}],
        }  # fmt: skip
        out.append((at, -len(out) - 1, ev))  # after the moves at the same time, by order
    return out


def document(event_list: list[dict[str, Any]], *, created: datetime | None = None) -> dict[str, Any]:
    return {
        "@context": [CONTEXT], "type": "EPCISDocument", "schemaVersion": "2.0",
        "creationDate": _time(created or datetime.now(UTC)), "epcisBody": {"eventList": event_list},
    }  # fmt: skip


# --- import ------------------------------------------------------------------------------------------------


def event_list(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise BadEpcisDocument("an EPCIS document is a JSON object")
    body = doc.get("epcisBody")
    if not isinstance(body, dict):
        raise BadEpcisDocument("the document has no epcisBody")
    if doc.get("type") == "EPCISQueryDocument":
        results = body.get("queryResults") or {}
        evs = (results.get("resultsBody") or {}).get("eventList")
    else:
        evs = body.get("eventList")
    if not isinstance(evs, list):
        raise BadEpcisDocument("the document has no eventList")
    return [e for e in evs if isinstance(e, dict)]


def _key(ev: dict[str, Any]) -> str:
    event_id = ev.get("eventID")
    if isinstance(event_id, str) and len(event_id) <= 200:
        return event_id
    return "sha256:" + hashlib.sha256(json.dumps(ev, sort_keys=True).encode()).hexdigest()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Imported:
    events: int
    new: int
    identifiers: int
    keys: list[str]


def import_document(uow: UnitOfWork, doc: Any, *, name: str, schema_validator: Any | None = None) -> Imported:
    """Keep a supplier's EPCIS events for tracing (see the module docstring). With ``schema_validator``
    an invalid document is refused whole (BadEpcisDocument with the schema's findings)."""
    scope = uow.principal.scope(IMPORT)
    if schema_validator is not None:
        found = problems(doc, schema_validator)
        if found:
            raise BadEpcisDocument(f"{len(found)} schema problem(s): {found[0]}", problems=found[:50])
    evs = event_list(doc)
    s = uow.session
    bodies = [json.dumps(ev, sort_keys=True) for ev in evs]
    wanted = {_key(e) for e in evs}
    stmt = select(EpcisEvent.event_key, EpcisEvent.body).where(EpcisEvent.tenant_id == scope.tenant_id)
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = sorted(wanted)[start : start + 500]
        known.update({k: b for k, b in s.execute(stmt.where(EpcisEvent.event_key.in_(chunk)))})
    keys: list[str] = []
    new = 0
    n_ids = 0
    for ev, body in zip(evs, bodies, strict=True):
        key = _key(ev)
        if key in known and known[key] != body:  # one eventID, another event (examples reuse their ids)
            key = f"{key[:170]}#{hashlib.sha256(body.encode()).hexdigest()[:24]}"
            if key not in known:
                known.update({k: b for k, b in s.execute(stmt.where(EpcisEvent.event_key == key))})
        keys.append(key)
        if key in known:
            continue
        known[key] = body
        row = EpcisEvent(
            tenant_id=scope.tenant_id, event_key=key, event_type=str(ev.get("type", ""))[:40],
            event_time=_parse_time(ev.get("eventTime")),
            action=str(ev.get("action"))[:10] if ev.get("action") else None,
            biz_step=str(ev.get("bizStep"))[:200] if ev.get("bizStep") else None,
            disposition=str(ev.get("disposition"))[:200] if ev.get("disposition") else None,
            document=name[:200], body=body, imported_by=uow.principal.actor,
        )  # fmt: skip
        s.add(row)
        s.flush()
        ids = event_identifiers(ev)
        if ids:
            s.execute(insert(EpcisIdentifier), [
                {"tenant_id": scope.tenant_id, "event_id": row.id, "identifier": i[:300], "role": r} for i, r in ids
            ])  # fmt: skip
        n_ids += len(ids)
        new += 1
    uow.audit("trace.epcis.import", "epcis_document", 0, after={"name": name, "events": len(evs), "new": new})
    return Imported(len(evs), new, n_ids, keys)


@dataclass(frozen=True)
class ExternalEvent:
    id: int
    key: str
    event_type: str
    event_time: datetime | None
    biz_step: str | None
    disposition: str | None
    document: str
    identifiers: list[tuple[str, str]]


def external_trace(
    session: Session, tenant_id: int, identifiers: Iterable[str], *, limit: int = 2000
) -> list[ExternalEvent]:
    """The imported events naming these identifiers, and through their transformations (inputs and outputs,
    aggregations' parents and children) every event linked to them, both ways, by time."""
    todo = {normalise(i) for i in identifiers}
    done: set[str] = set()
    found: dict[int, ExternalEvent] = {}
    while todo and len(found) < limit:
        batch = sorted(todo - done)[:500]
        done |= set(batch)
        todo -= set(batch)
        if not batch:
            break
        ev_ids = set(session.scalars(select(EpcisIdentifier.event_id).where(
            EpcisIdentifier.tenant_id == tenant_id, EpcisIdentifier.identifier.in_(batch))))  # fmt: skip
        ev_ids -= set(found)
        if not ev_ids:
            continue
        rows = session.scalars(select(EpcisEvent).where(EpcisEvent.id.in_(sorted(ev_ids)))).all()
        ids: dict[int, list[tuple[str, str]]] = defaultdict(list)
        cols = select(EpcisIdentifier.event_id, EpcisIdentifier.identifier, EpcisIdentifier.role)
        for i in session.execute(cols.where(EpcisIdentifier.event_id.in_(sorted(ev_ids)))):
            ids[i.event_id].append((i.identifier, i.role))
        for r in rows:
            found[r.id] = ExternalEvent(r.id, r.event_key, r.event_type, r.event_time, r.biz_step, r.disposition,
                                        r.document, ids[r.id])  # fmt: skip
            # follow what the event links (not locations: a shared warehouse would link everything)
            todo |= {i for i, role in ids[r.id] if role in ("input", "output", "parent", "child", "object")} - done
    return sorted(found.values(), key=lambda e: (e.event_time or datetime.min.replace(tzinfo=UTC), e.id))

"""The one envelope of floor events, for every transport (HTTP ``POST /api/v1/inventory/events`` and MQTT
``boh/<tenant>/<site>/<pos|rfid|sensor>``): a JSON object ``{"events": [...]}`` of up to 5,000 events; a
bare event object (one with a ``kind``) is read as an envelope of one. Each event is then validated alone by
the ingestion service (``domain.parse_events``), with the same ``inventory.*`` codes whatever the transport.

A transport that knows more about where the events came from says so in a ``Context``: an MQTT topic
names the site and the kind of feed, so an event of another site (``inventory.site_mismatch``) or of a
kind the feed does not carry (``inventory.kind_mismatch``) is rejected alone, before ingestion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from boh.inventory.ingest.schemas import MAX_BATCH, Rejected

FEEDS = {"pos": frozenset({"sale", "return"}), "rfid": frozenset({"rfid_read"}), "sensor": frozenset({"weight"})}


@dataclass(frozen=True)
class Context:
    site: str | None = None  # the events' site (an MQTT topic's), else each event names its own
    feed: str | None = None  # pos | rfid | sensor (an MQTT topic's): the kinds it may carry


@dataclass
class Envelope:
    """The events of a payload with their index in it, and what was wrong before ingestion (the whole
    payload: index None)."""

    events: list[tuple[int, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def raw_events(self) -> list[Any]:
        return [ev for _, ev in self.events]


def _event_id(ev: Any) -> str | None:
    value = ev.get("event_id") if isinstance(ev, dict) else None
    return value if isinstance(value, str) else None


def _context_problem(ev: Any, ctx: Context) -> tuple[str, str] | None:
    if not isinstance(ev, dict):
        return None  # reported by the event validation (inventory.malformed_event)
    if ctx.site is not None and ev.get("site") not in (None, ctx.site):
        return "inventory.site_mismatch", f"event for site {ev.get('site')!r} on a feed of site {ctx.site}"
    if ctx.feed is not None and ev.get("kind") not in FEEDS[ctx.feed]:
        allowed = ", ".join(sorted(FEEDS[ctx.feed]))
        return "inventory.kind_mismatch", f"kind {ev.get('kind')!r} on a {ctx.feed} feed (allowed: {allowed})"
    return None


def open_envelope(payload: bytes | str, ctx: Context = Context()) -> Envelope:
    """The events of a payload (see the module docstring); a payload that is not an envelope is one
    rejection with index None (``inventory.malformed_payload``, ``inventory.batch_too_large``)."""
    out = Envelope()
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        out.rejected.append(Rejected(index=-1, event_id=None, code="inventory.malformed_payload",
                                     message=f"the payload is not JSON: {exc}"))  # fmt: skip
        return out
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        raw: list[Any] = body["events"]
    elif isinstance(body, dict) and "events" not in body and "kind" in body:
        raw = [body]
    else:
        out.rejected.append(Rejected(index=-1, event_id=None, code="inventory.malformed_payload",
                                     message='expected {"events": [...]} or one event object'))  # fmt: skip
        return out
    if len(raw) > MAX_BATCH:
        out.rejected.append(Rejected(index=-1, event_id=None, code="inventory.batch_too_large",
                                     message=f"at most {MAX_BATCH} events per envelope"))  # fmt: skip
        return out
    for i, ev in enumerate(raw):
        problem = _context_problem(ev, ctx)
        if problem is not None:
            out.rejected.append(Rejected(index=i, event_id=_event_id(ev), code=problem[0], message=problem[1]))
        else:
            out.events.append((i, {**ev, "site": ctx.site} if ctx.site is not None and isinstance(ev, dict) else ev))
    return out

"""Realistic floor events in the ingestion contract's format (see /api/v1/inventory/events).

- POS: receipts of 1-8 lines (mostly small baskets) from a few terminals per site, items from the site's
  assortment, by SKU or GTIN, whole units or weighed quantities; now and then a return.
- RFID: SGTIN-96 tags of the site's GTIN items arrive in the back room, move to the sales floor, are read
  again and again (zone read sessions = automatic cycle counts), leave through the exit gate after a sale,
  sometimes go missing (never read again) and sometimes leave through the gate without a sale (shrink).
- Weight shelves (items sold by weight): the total grams on a shelf, going down as shoppers take produce
  and back up on refill.

Deterministic for a given ``random.Random`` (and clock): the same seed gives the same events.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boh.kernel.clock import utcnow
from boh.simulate.epc import sgtin96_hex
from boh.simulate.snapshot import CatalogSnapshot, ItemSnap, SiteSnap

Event = dict[str, Any]
KINDS = ("pos", "rfid", "sensor")
DEFAULT_MIX = {"pos": 0.7, "rfid": 0.25, "sensor": 0.05}
TOPIC_KIND = {"sale": "pos", "return": "pos", "rfid_read": "rfid", "weight": "sensor"}
TAGGED_ITEMS_PER_SITE = 200
SHELVES_PER_SITE = 12
WEIGHED_UOMS = ("kg", "g")
TERMINALS = 4
SERIAL_BLOCK = 1_000_000_000  # tag serials of site i start at i * SERIAL_BLOCK (unique EPCs across sites)
BASKET_WEIGHTS = (30, 22, 15, 10, 8, 6, 5, 4)  # receipts of 1..8 lines


def parse_mix(text: str) -> dict[str, float]:
    """``pos=0.7,rfid=0.25,sensor=0.05`` -> weights (need not sum to 1; at least one > 0)."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, raw = part.partition("=")
        if not sep or kind not in KINDS:
            raise ValueError(f"bad mix entry {part!r}: expected kind=weight with kind one of {', '.join(KINDS)}")
        mix[kind] = float(raw)
        if mix[kind] < 0:
            raise ValueError(f"mix weight of {kind} is negative")
    if not any(mix.values()):
        raise ValueError("the mix needs at least one kind with a weight above 0")
    return mix


@dataclass
class Tag:
    epc: str
    item: ItemSnap


@dataclass
class Shelf:
    name: str
    item: ItemSnap  # sold by weight (base unit kg or g)
    capacity_g: int
    grams: int


@dataclass
class SiteState:
    index: int
    site: SiteSnap
    tagged: list[ItemSnap]
    backroom: list[Tag] = field(default_factory=list)
    floor: list[Tag] = field(default_factory=list)
    sold: list[Tag] = field(default_factory=list)  # sold on the floor, not yet through the exit gate
    shelves: list[Shelf] = field(default_factory=list)
    serial: int = 0
    receipt: int = 0
    session: int = 0
    missing: int = 0
    shrunk: int = 0


class FloorGenerator:
    """Keeps each site's tags and shelves between calls, so successive batches tell one consistent story."""

    def __init__(
        self,
        rng: random.Random,
        snapshot: CatalogSnapshot,
        *,
        mix: dict[str, float] | None = None,
        run_id: str | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        if not snapshot.sites or not any(s.items for s in snapshot.sites):
            raise ValueError("the snapshot has no site with items to simulate")
        self.rng = rng
        self.now = now
        self.run_id = run_id or f"{rng.getrandbits(40):010x}"
        weights = mix or DEFAULT_MIX
        self.seq = 0
        self.pending: deque[Event] = deque()
        self.tags: dict[str, ItemSnap] = {}  # every tag made so far: EPC -> item
        self.sites = [self._site_state(i, s) for i, s in enumerate(snapshot.sites) if s.items]
        self.eligible = {
            "pos": self.sites,
            "rfid": [s for s in self.sites if s.tagged],
            "sensor": [s for s in self.sites if s.shelves],
        }
        weights = {k: w for k, w in weights.items() if self.eligible.get(k)}
        if not any(weights.values()):
            raise ValueError("no site has items for the requested mix (RFID needs GTIN items, shelves kg/g items)")
        self.kinds = [k for k in KINDS if weights.get(k, 0) > 0]
        self.weights = [weights[k] for k in self.kinds]

    def _site_state(self, index: int, site: SiteSnap) -> SiteState:
        each = [i for i in site.items if i.gtin and i.base_uom == "each"]
        tagged = self.rng.sample(each, min(len(each), TAGGED_ITEMS_PER_SITE))
        st = SiteState(index=index, site=site, tagged=tagged)
        weighed = [i for i in site.items if i.base_uom in WEIGHED_UOMS]
        for n, item in enumerate(self.rng.sample(weighed, min(len(weighed), SHELVES_PER_SITE))):
            cap = self.rng.randint(5, 40) * 500
            st.shelves.append(Shelf(f"shelf{n + 1}", item, cap, cap))
        return st

    # ------------------------------------------------------------------ common
    def _event(self, st: SiteState, kind: str, source: str, **fields: Any) -> Event:
        self.seq += 1
        at = self.now() - timedelta(milliseconds=self.rng.randint(0, 400))
        if self.rng.random() < 0.02:  # a late or out-of-order event from a device that was offline
            at -= timedelta(seconds=self.rng.randint(1, 120))
        return {
            "event_id": f"{self.run_id}-{self.seq:09d}",
            "source": source,
            "site": st.site.code,
            "kind": kind,
            "occurred_at": at.isoformat(),
            **fields,
        }

    def _item_key(self, item: ItemSnap) -> dict[str, str]:
        if item.gtin and self.rng.random() < 0.5:
            return {"gtin": item.gtin}
        return {"sku": item.sku}

    def _qty(self, item: ItemSnap) -> Decimal:
        if item.base_uom in ("kg", "L"):
            return Decimal(self.rng.randint(150, 2500)) / 1000
        if item.base_uom in ("g", "mL"):
            return Decimal(self.rng.randint(100, 1500))
        return Decimal(self.rng.choices((1, 2, 3, 4), (70, 20, 7, 3))[0])

    # ------------------------------------------------------------------ POS
    def _basket(self, st: SiteState) -> list[Event]:
        terminal = self.rng.randint(1, TERMINALS)
        st.receipt += 1
        receipt = f"{st.site.code}-{terminal}-{self.run_id}-{st.receipt}"
        source = f"pos:{st.site.code}:{terminal}"
        if self.rng.random() < 0.03:
            item = self.rng.choice(st.site.items)
            return [self._line(st, "return", source, receipt, 1, item, Decimal(1))]
        lines = self.rng.choices(range(1, len(BASKET_WEIGHTS) + 1), BASKET_WEIGHTS)[0]
        out = []
        for line in range(1, lines + 1):
            if st.floor and self.rng.random() < 0.3:  # a tagged unit from the floor goes through the till
                tag = st.floor.pop(self.rng.randrange(len(st.floor)))
                st.sold.append(tag)
                out.append(self._line(st, "sale", source, receipt, line, tag.item, Decimal(1)))
            else:
                item = self.rng.choice(st.site.items)
                out.append(self._line(st, "sale", source, receipt, line, item, self._qty(item)))
        return out

    def _line(
        self, st: SiteState, kind: str, source: str, receipt: str, line: int, item: ItemSnap, qty: Decimal
    ) -> Event:
        return self._event(
            st, kind, source, **self._item_key(item), qty=str(qty), unit_price=str(item.price),
            receipt_id=receipt, line=line,
        )  # fmt: skip

    # ------------------------------------------------------------------ RFID
    def _new_tag(self, st: SiteState) -> Tag:
        st.serial += 1
        item = self.rng.choice(st.tagged)
        assert item.gtin is not None
        tag = Tag(sgtin96_hex(item.gtin, st.index * SERIAL_BLOCK + st.serial), item)
        self.tags[tag.epc] = item
        return tag

    def _read(self, st: SiteState, tag: Tag, zone: str, reader: str, session: str | None = None) -> Event:
        fields: dict[str, Any] = {"epc": tag.epc, "reader": reader, "zone": zone, "rssi": -self.rng.randint(35, 75)}
        if session:
            fields["session_id"] = session
        return self._event(st, "rfid_read", f"rfid:{st.site.code}:{reader}", **fields)

    def _rfid(self, st: SiteState) -> list[Event]:
        if not st.tagged:
            return []
        if len(st.backroom) < 5:  # a delivery of tagged units is read into the back room
            st.backroom.extend(self._new_tag(st) for _ in range(self.rng.randint(5, 20)))
            return [self._read(st, t, "backroom", "backroom1") for t in st.backroom[-5:]]
        roll = self.rng.random()
        if roll < 0.30:  # replenishment: back room -> sales floor
            tag = st.backroom.pop(self.rng.randrange(len(st.backroom)))
            st.floor.append(tag)
            return [self._read(st, tag, "floor", "floor1")]
        if roll < 0.40 and st.sold:  # a sold unit leaves through the gate (matched by its sale)
            return [self._read(st, st.sold.pop(0), "exit", "gate1")]
        if roll < 0.42 and st.floor:  # a unit leaves through the gate without a sale: shrink
            st.shrunk += 1
            return [self._read(st, st.floor.pop(self.rng.randrange(len(st.floor))), "exit", "gate1")]
        if roll < 0.44 and st.floor:  # a unit goes missing: never read again
            st.missing += 1
            st.floor.pop(self.rng.randrange(len(st.floor)))
            return []
        return self._cycle(st)

    def _cycle(self, st: SiteState) -> list[Event]:
        """A zone read session over part of the floor: every tag seen once or several times."""
        if not st.floor:
            return [self._read(st, t, "backroom", "backroom1") for t in st.backroom[:3]]
        st.session += 1
        session = f"{st.site.code}-floor-{self.run_id}-{st.session}"
        seen = self.rng.sample(st.floor, min(len(st.floor), self.rng.randint(1, 6)))
        out: list[Event] = []
        for tag in seen:
            out.extend(self._read(st, tag, "floor", "floor1", session) for _ in range(self.rng.randint(1, 3)))
        return out

    # ------------------------------------------------------------------ weight shelves
    def _weight(self, st: SiteState) -> list[Event]:
        shelf = self.rng.choice(st.shelves)
        if shelf.grams < 1000 or self.rng.random() < 0.05:  # refilled
            shelf.grams = shelf.capacity_g
        else:  # a shopper takes a bag of apples (or nothing: the reading only drifts)
            shelf.grams -= self.rng.choice((0, 0, self.rng.randint(150, 900)))
        grams = Decimal(shelf.grams) + Decimal(self.rng.randint(-5, 5)) / 10
        return [
            self._event(
                st, "weight", f"scale:{st.site.code}:{shelf.name}", shelf=shelf.name, sku=shelf.item.sku,
                weight_g=str(max(grams, Decimal(0))),
            )
        ]  # fmt: skip

    # ------------------------------------------------------------------ public
    def next_events(self, n: int) -> list[Event]:
        """The next ``n`` events (a receipt may continue into the next call)."""
        out: list[Event] = []
        makers = {"pos": self._basket, "rfid": self._rfid, "sensor": self._weight}
        while len(out) < n:
            if not self.pending:
                kind = self.rng.choices(self.kinds, self.weights)[0]
                self.pending.extend(makers[kind](self.rng.choice(self.eligible[kind])))
                continue
            out.append(self.pending.popleft())
        return out

    def shrink_story(self, site_code: str) -> list[Event]:
        """One tagged unit received, put on the floor, then carried through the exit gate without a sale."""
        st = next(s for s in self.sites if s.site.code == site_code)
        tag = self._new_tag(st)
        return [
            self._read(st, tag, "backroom", "backroom1"),
            self._read(st, tag, "floor", "floor1"),
            self._read(st, tag, "exit", "gate1"),
        ]


def generate_events(
    rng: random.Random, catalog_snapshot: CatalogSnapshot, n: int, mix: dict[str, float] | None = None
) -> list[Event]:
    """``n`` floor events over the snapshot's sites (the benchmark's load)."""
    return FloorGenerator(rng, catalog_snapshot, mix=mix).next_events(n)


def topic_kind(event: Event) -> str:
    """The MQTT topic kind (pos | rfid | sensor) an event is published under."""
    return TOPIC_KIND.get(str(event.get("kind")), "pos")

"""The world the route walk runs in: tenant A with objects of every kind a route can refer to, tenant B
next door, and principals of every role.

Every path parameter is resolved *by its name* through ``CREATORS``. A route with a parameter name that
is not in the table fails the walk with a message asking for a creator, so no route escapes the checks.
Everything tenant A owns carries the marker ``alpha`` in a name or code, so a response that shows any of
it to tenant B is caught by a plain text search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from boh.bootstrap import Runtime
from boh.kernel.db import Base
from boh.kernel.permissions import ROLES
from tests.factories import TenantRef, login, make_region, make_site, make_tenant, make_user
from tests.security import (
    certificates_world,
    coldchain_world,
    forecasting_world,
    inspections_world,
    kitchen_world,
    purchasing_world,
    replenishment_world,
    trace_world,
)  # fmt: skip

MARKER = "alpha"
GTIN = "4006381333931"  # a valid EAN-13: the barcode of tenant A's item

Headers = dict[str, str]


@dataclass
class World:
    rt: Runtime
    client: TestClient
    a: TenantRef
    b: TenantRef
    region: int
    site1: int
    site2: int
    admin_a: Headers
    admin_b: Headers
    by_role: dict[str, Headers] = field(default_factory=dict)  # tenant A, tenant-wide; "" = no role at all
    objects: dict[str, Any] = field(default_factory=dict)  # parameter name -> tenant A's value

    def api(self, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.client.request(method, url, headers=self.admin_a, json=body)
        assert r.status_code in (200, 201), f"world set-up: {method} {url} -> {r.status_code} {r.text}"
        data: dict[str, Any] = r.json()
        return data

    def get(self, name: str) -> Any:
        """Tenant A's object for a parameter name, created on first use."""
        if name not in self.objects:
            if name not in CREATORS:
                raise KeyError(name)
            self.objects[name] = CREATORS[name](self)
        return self.objects[name]


# --- creators: one per path-parameter name ---------------------------------------------------------


def _user(w: World) -> int:
    return make_user(w.rt, w.a, "alpha_victim", [("store_staff", "ALPHA-S1")])


def _api_key(w: World) -> int:
    key: int = w.api("POST", "/api/v1/org/api-keys", {"name": "alpha key", "permissions": ["org.site.read"]})["id"]
    return key


def _category(w: World) -> int:
    cat: int = w.api("POST", "/api/v1/catalog/categories", {"code": "ALPHA-CAT", "name_en": "Alpha Category"})["id"]
    return cat


def _item(w: World) -> int:
    body = {
        "sku": "ALPHA-ITEM",
        "name_en": "Alpha Flour",
        "kind": "grocery",
        "base_uom": "kg",
        "category_id": w.get("category_id"),
        "barcodes": [{"code": GTIN}],
    }
    item: int = w.api("POST", "/api/v1/catalog/items", body)["id"]
    for site in (w.site1, w.site2):  # carried by both sites, so site-scoped reads have something to show
        r = w.client.put(f"/api/v1/catalog/sites/{site}/assortment/{item}", headers=w.admin_a, json={})
        assert r.status_code in (200, 201), r.text
    return item


def _supplier(w: World) -> int:
    sup: int = w.api("POST", "/api/v1/catalog/suppliers", {"code": "ALPHA-SUP", "name": "Alpha Supplier"})["id"]
    return sup


def _supplier_item(w: World) -> int:
    body = {"item_id": w.get("item_id"), "purchase_uom": "kg", "price": "1.5"}
    si: int = w.api("POST", f"/api/v1/catalog/suppliers/{w.get('supplier_id')}/items", body)["id"]
    return si


def _barcode(w: World) -> str:
    w.get("item_id")
    return GTIN


def _lot(w: World) -> int:
    body = {"item_id": w.get("item_id"), "lot_code": "ALPHA-LOT-1", "expiry_date": "2030-01-31"}
    lot: int = w.api("POST", "/api/v1/inventory/lots", body)["id"]
    return lot


def _transfer(w: World) -> int:
    item, lot = w.get("item_id"), w.get("lot_id")
    receipt = {"site_id": w.site1, "item_id": item, "lot_id": lot, "move_type": "receipt", "quantity": "10",
               "unit_cost": "1.5", "idempotency_key": "alpha-receipt-1"}  # fmt: skip
    w.api("POST", "/api/v1/inventory/moves", {"moves": [receipt]})
    body = {"from_site_id": w.site1, "to_site_id": w.site2, "item_id": item, "lot_id": lot, "quantity": "1",
            "idempotency_key": "alpha-transfer-1"}  # fmt: skip
    out: int = w.api("POST", "/api/v1/inventory/transfers", body)["out_move"]["id"]
    return out


def _reservation(w: World) -> int:
    w.get("transfer_id")  # stock of the item at site 1
    body = {"site_id": w.site1, "item_id": w.get("item_id"), "quantity": "2", "document_type": "sales_order",
            "document_id": "alpha-order-1", "idempotency_key": "alpha-reservation-1"}  # fmt: skip
    rid: int = w.api("POST", "/api/v1/inventory/reservations", body)["id"]
    return rid


def _incoming(w: World) -> int:
    body = {"site_id": w.site1, "item_id": w.get("item_id"), "quantity": "24", "document_type": "purchase_order",
            "document_id": "alpha-po-1", "idempotency_key": "alpha-incoming-1"}  # fmt: skip
    iid: int = w.api("POST", "/api/v1/inventory/incoming", body)["id"]
    return iid


def _rfid_session(w: World) -> str:
    # made in the database: the ingestion API opens sessions only from real RFID reads of mapped tags
    from boh.inventory.ingest.models import RfidSession

    with w.rt.session_factory() as session:
        session.add(RfidSession(tenant_id=w.a.id, session_id="alpha-session-1", site_id=w.site1, zone="floor"))
        session.commit()
    return "alpha-session-1"


def _alert(w: World) -> int:
    from boh.inventory.ingest.models import Alert

    item = w.get("item_id")
    with w.rt.session_factory() as session:
        alert = Alert(tenant_id=w.a.id, site_id=w.site1, kind="shrink", item_id=item, message="Alpha tag left the shop")
        session.add(alert)
        session.commit()
        return alert.id


def _dead_letter(w: World) -> int:
    """A floor event of tenant A rejected at site 1 (an unknown SKU): kept as a dead letter."""
    from boh.inventory.ingest import service

    event = {"event_id": "alpha-dead", "source": "pos:alpha", "site": "ALPHA-S1", "kind": "sale", "sku": "NOPE",
             "qty": "1", "occurred_at": "2026-11-25T09:00:00+00:00"}  # fmt: skip
    with w.rt.system_uow(w.a.id) as uow:
        service.ingest(uow, [event])
        uow.commit()
    from boh.inventory.ingest.models import DeadLetter

    with w.rt.session_factory() as session:
        return int(session.scalars(select(DeadLetter.id).where(DeadLetter.tenant_id == w.a.id)).one())


def _count(w: World) -> int:
    body = {"site_id": w.site1, "kind": "full", "note": "alpha full count"}
    count: int = w.api("POST", "/api/v1/inventory/counts", body)["id"]
    return count


def _count_line(w: World) -> int:
    count = w.get("count_id")
    w.get("transfer_id")  # stock at site 1, so the count has a line for the item
    url = f"/api/v1/inventory/counts/{count}"
    lines = w.client.get(f"{url}/lines", headers=w.admin_a).json()["items"]
    if not lines:  # lines appear when counting starts
        w.api("POST", f"{url}/start", {})
        lines = w.client.get(f"{url}/lines", headers=w.admin_a).json()["items"]
    assert lines, "world set-up: the count of site 1 has no lines"
    line: int = lines[0]["id"]
    return line


def _receipt(w: World) -> int:
    """A draft receipt of an unannounced delivery at site 1 with one line of tenant A's item, and a photo."""
    from boh.inventory.receiving import service
    from boh.kernel.blobs import open_blob_store

    item = w.get("item_id")
    w.get("transfer_id")
    with w.rt.system_uow(w.a.id) as uow:
        r = service.start(uow, site_id=w.site1, source="unannounced", idempotency_key="alpha-receipt")
        from boh.catalog.api import get_item_ref

        service.scan(uow, r.id, get_item_ref(uow.session, w.a.id, item).sku)
        r.note = "alpha delivery"
        key = f"receipts/{w.a.id}/{r.id}/alpha.jpg"
        open_blob_store(w.rt.settings).put(key, b"\xff\xd8alpha", "image/jpeg")
        service.set_photo(uow, r.id, key)
        uow.commit()
        return r.id


def _transfer_doc(w: World) -> int:
    """A draft transfer document from site 1 to site 2 with one line of tenant A's item."""
    from decimal import Decimal

    from boh.inventory.transfers import service

    item = w.get("item_id")
    with w.rt.system_uow(w.a.id) as uow:
        doc = service.create(uow, from_site_id=w.site1, to_site_id=w.site2)
        service.add(uow, doc.id, quantity=Decimal(1), item_id=item)
        doc.note = "alpha transfer"
        uow.commit()
        return doc.id


CREATORS: dict[str, Callable[[World], Any]] = {
    "site_id": lambda w: w.site1,
    "region_id": lambda w: w.region,
    "user_id": _user,
    "key_id": _api_key,
    "category_id": _category,
    "item_id": _item,
    "supplier_id": _supplier,
    "supplier_item_id": _supplier_item,
    "code": _barcode,  # DELETE /catalog/items/{item_id}/barcodes/{code}; GET /catalog/items/lookup?code=
    "lot_id": _lot,
    "transfer_id": _transfer,
    "other_site_id": lambda w: w.site2,
    "reservation_id": _reservation,
    "incoming_id": _incoming,
    "session_id": _rfid_session,  # POST /inventory/rfid/sessions/{session_id}/close
    "alert_id": _alert,
    "count_id": _count,
    "line_id": _count_line,  # body of PATCH /inventory/counts/{count_id}/lines
    "tenant_id": lambda w: w.a.id,  # the platform API (walked by test_platform_walk.py)
    "letter_id": _dead_letter,
    "receipt_id": _receipt,
    "doc_id": _transfer_doc,
}

CREATORS.update(inspections_world.CREATORS)
CREATORS.update(kitchen_world.CREATORS)
CREATORS.update(coldchain_world.CREATORS)
CREATORS.update(trace_world.CREATORS)
CREATORS.update(certificates_world.CREATORS)
CREATORS.update(forecasting_world.CREATORS)
CREATORS.update(purchasing_world.CREATORS)
CREATORS.update(replenishment_world.CREATORS)

# Id fields named differently from the object they refer to: field name, or (path, field) where the
# meaning depends on the route -> a name in CREATORS.
ALIASES: dict[str | tuple[str, str], str] = {
    ("/api/v1/org/regions", "parent_id"): "region_id",
    ("/api/v1/catalog/categories", "parent_id"): "category_id",
    ("/api/v1/catalog/categories/{category_id}", "parent_id"): "category_id",
    "preferred_supplier_id": "supplier_id",
    "from_site_id": "site_id",
    "to_site_id": "other_site_id",
    "assignee_id": "user_id",
    **inspections_world.ALIASES,
    **kitchen_world.ALIASES,
    **purchasing_world.ALIASES,
    **replenishment_world.ALIASES,
}


def ref_value(w: World, path: str, name: str) -> Any | None:
    """Tenant A's object for an id field of a request, or None if the field is not an object reference."""
    alias = ALIASES.get((path, name)) or ALIASES.get(name)
    if alias is not None:
        return w.get(alias)
    return w.get(name) if name.endswith("_id") and name in CREATORS else None


def build(rt: Runtime, client: TestClient) -> World:
    a = make_tenant(rt, "ALPHA", "Alpha Foods")
    b = make_tenant(rt, "BRAVO", "Bravo Foods")
    region = make_region(rt, a, "ALPHA-EAST", "Alpha East")
    site1 = make_site(rt, a, "ALPHA-S1", region_code="ALPHA-EAST")
    site2 = make_site(rt, a, "ALPHA-S2", region_code="ALPHA-EAST")
    make_site(rt, b, "BRAVO-S1")
    make_user(rt, a, "alpha_admin", [("hq_admin", None)])
    make_user(rt, b, "bravo_admin", [("hq_admin", None)])
    w = World(rt, client, a, b, region, site1, site2, login(client, "alpha_admin"), login(client, "bravo_admin"))
    for role in ROLES:
        make_user(rt, a, f"alpha_{role}", [(role, None)])
        w.by_role[role] = login(client, f"alpha_{role}")
    make_user(rt, a, "alpha_nobody", [])
    w.by_role[""] = login(client, "alpha_nobody")
    make_user(rt, a, "alpha_s1_manager", [("store_manager", "ALPHA-S1")])
    w.by_role["store_manager@S1"] = login(client, "alpha_s1_manager")
    forecasting_world.seed(w)
    certificates_world.seed(w)
    return w


WRITE_LOG = "sec_walk_write_log"


def install_write_log(rt: Runtime) -> None:
    """Triggers on every table that append the table's name to WRITE_LOG for each row inserted, deleted or
    really changed (an UPDATE to the same values is not a write). One query then answers "was anything
    written since mark M", where reading every row of every table before and after each request cost the
    walks most of their time. The triggers are the walk's own: remove_write_log drops them all."""
    tables = [t for t in Base.metadata.sorted_tables]
    with rt.engine.begin() as conn:
        if rt.engine.dialect.name == "postgresql":
            conn.execute(text(f"CREATE TABLE {WRITE_LOG} (id bigserial PRIMARY KEY, tbl text NOT NULL)"))
            conn.execute(text(
                f"CREATE FUNCTION {WRITE_LOG}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {WRITE_LOG}(tbl) VALUES (TG_TABLE_NAME); RETURN NULL; END $$"
            ))  # fmt: skip
            for t in tables:
                conn.execute(text(
                    f'CREATE TRIGGER {WRITE_LOG}_id AFTER INSERT OR DELETE ON "{t.name}" '
                    f"FOR EACH ROW EXECUTE FUNCTION {WRITE_LOG}_fn()"
                ))  # fmt: skip
                conn.execute(text(
                    f'CREATE TRIGGER {WRITE_LOG}_u AFTER UPDATE ON "{t.name}" FOR EACH ROW '
                    f"WHEN (to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW)) EXECUTE FUNCTION {WRITE_LOG}_fn()"
                ))  # fmt: skip
            return
        conn.execute(text(f"CREATE TABLE {WRITE_LOG} (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL)"))
        for t in tables:
            log = f"INSERT INTO {WRITE_LOG}(tbl) VALUES ('{t.name}');"
            for event in ("INSERT", "DELETE"):
                conn.execute(text(
                    f'CREATE TRIGGER "{WRITE_LOG}_{event[0]}_{t.name}" AFTER {event} ON "{t.name}" BEGIN {log} END'
                ))  # fmt: skip
            changed = " OR ".join(f'OLD."{c.name}" IS NOT NEW."{c.name}"' for c in t.columns)
            conn.execute(text(
                f'CREATE TRIGGER "{WRITE_LOG}_U_{t.name}" AFTER UPDATE ON "{t.name}" WHEN {changed} BEGIN {log} END'
            ))  # fmt: skip


def remove_write_log(rt: Runtime) -> None:
    with rt.engine.begin() as conn:
        if rt.engine.dialect.name == "postgresql":
            conn.execute(text(f"DROP FUNCTION IF EXISTS {WRITE_LOG}_fn() CASCADE"))  # and the triggers on it
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :p"),
                {"p": f"{WRITE_LOG}%"},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text(f"DROP TABLE IF EXISTS {WRITE_LOG}"))


def write_mark(rt: Runtime) -> int:
    """The position of the write log now: writes_since(rt, mark) lists what was written after it."""
    with rt.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {WRITE_LOG}")).scalar_one())


def writes_since(rt: Runtime, mark: int) -> list[str]:
    """The tables written since ``mark`` (empty: nothing was written)."""
    with rt.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT DISTINCT tbl FROM {WRITE_LOG} WHERE id > :m"), {"m": mark}).scalars()
        return sorted(rows)

"""CSV/XLSX import and export of items, suppliers, supplier items and assortments: upserts on business
keys, every error of a file at once (row + column), all-or-nothing, idempotent, fast."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import event

from boh.catalog.imports import import_table
from boh.kernel.audit import verify_chain
from tests.catalog.helpers import counts, make_category, make_item, make_supplier, make_supplier_item
from tests.factories import login, make_site, make_tenant, make_user

API = "/api/v1/catalog"
ITEMS_CSV = """sku,name_en,name_zh,category_code,kind,base_uom,storage_class,perishable,shelf_life_days,\
allergens,active,uoms,barcodes
MILK1,Milk 1L,牛奶,DAIRY,grocery,each,chilled,true,12,milk,true,case=12,6901234567892;16901234567899@case
RICE5,Rice,大米,,grocery,kg,ambient,false,,,true,bag=5;g=0.001,4006381333931
"""


def check_digit(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def _setup(runtime, client: TestClient) -> tuple[Any, dict[str, str]]:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)])
    return t, login(client, "boss")


def _upload(client: TestClient, h: dict[str, str], kind: str, content: bytes, name: str = "f.csv") -> Any:
    return client.post(f"{API}/{kind}/import", headers=h, files={"file": (name, content)})


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_items_csv_upserts_and_is_idempotent(runtime, client) -> None:
    t, h = _setup(runtime, client)
    make_category(runtime, t, "DAIRY")
    r = _upload(client, h, "items", ITEMS_CSV.encode())
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    milk = client.get(f"{API}/items", headers=h, params={"q": "MILK1"}).json()["items"][0]
    assert milk["category_code"] == "DAIRY" and milk["shelf_life_days"] == 12 and milk["allergens"] == ["milk"]
    assert {b["gtin"]: b["uom"] for b in milk["barcodes"]} == {"06901234567892": None, "16901234567899": "case"}
    with runtime.session_factory() as s:  # the batched audit records form an unbroken chain
        checked, problem = verify_chain(s, t.id)
    assert problem is None and checked == counts(runtime)["audit"]  # tenant, user, category, two items
    before = counts(runtime)
    again = _upload(client, h, "items", ITEMS_CSV.encode())
    assert again.json() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}
    assert counts(runtime) == before  # no rows, no audit records, no events
    changed = ITEMS_CSV.replace("Milk 1L", "Fresh milk 1L").replace(",true,case=12,", ",false,case=12,")
    r = _upload(client, h, "items", changed.encode())
    assert r.json()["updated"] == 1 and r.json()["unchanged"] == 1
    milk = client.get(f"{API}/items/{milk['id']}", headers=h).json()
    assert milk["name_en"] == "Fresh milk 1L" and milk["active"] is False


def test_items_file_with_many_errors_reports_all_and_writes_nothing(runtime, client) -> None:
    t, h = _setup(runtime, client)
    make_category(runtime, t, "DAIRY")
    make_item(runtime, t, "OLD")
    make_item(runtime, t, "KEEP", barcodes=["96385074"])
    bad = "\n".join(
        [
            "sku,name_en,category_code,kind,base_uom,uoms,barcodes,shelf_life_days",
            "A1,Apple,NOPE,fresh,each,,,",  # row 2: unknown category
            "A2,Pear,,fresh,each,case=abc,,",  # row 3: bad decimal
            "A3,Plum,,fresh,each,,4006381333932,",  # row 4: bad check digit
            "A1,Apple again,,fresh,each,,,",  # row 5: duplicate SKU
            "A5,Kiwi,,fresh,each,,4006381333931@pallet,",  # row 6: unknown unit
            "A6,Fig,,toy,each,,,",  # row 7: bad kind
            "A7,Lime,,fresh,each,case=2.5,96385074,x",  # row 8: whole units, GTIN of KEEP, bad integer
            "OLD,Old,,fresh,kg,,,",  # row 9: base unit change
        ]
    )
    before = counts(runtime)
    r = _upload(client, h, "items", bad.encode())
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    found = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert found == {
        (2, "category_code"),
        (3, "uoms"),
        (4, "barcodes"),
        (5, "sku"),
        (6, "barcodes"),
        (7, "kind"),
        (8, "uoms"),
        (8, "barcodes"),
        (8, "shelf_life_days"),
        (9, "base_uom"),
    }
    assert "check digit" in next(e["message"] for e in r.json()["errors"] if e["row"] == 4)
    assert "nothing was imported" in r.json()["detail"]
    assert counts(runtime) == before


def test_items_xlsx_import_and_export_round_trip(runtime, client) -> None:
    _, h = _setup(runtime, client)
    rows = [
        ["sku", "name_en", "kind", "base_uom", "shelf_life_days", "uoms", "barcodes"],
        ["X1", "Xlsx item", "fresh", "kg", 5, "bag=2.5", 4006381333931],
        ["X2", "Second", "packaging", "each", None, "case=24", None],
    ]
    r = _upload(client, h, "items", _xlsx(rows), "items.xlsx")
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    exported = client.get(f"{API}/items/export", headers=h, params={"format": "xlsx"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][0] == "X1" and values[1][-2] == "bag=2.5" and values[1][-1] == "04006381333931"
    before = counts(runtime)
    r = _upload(client, h, "items", exported.content, "items.xlsx")
    assert r.json() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}
    assert counts(runtime) == before
    csv_text = client.get(f"{API}/items/export", headers=h).text
    assert _upload(client, h, "items", csv_text.encode()).json()["unchanged"] == 2


def test_barcode_moves_between_items_in_one_file(runtime, client) -> None:
    t, h = _setup(runtime, client)
    make_item(runtime, t, "A", barcodes=["4006381333931"])
    make_item(runtime, t, "B")
    csv = "sku,name_en,kind,base_uom,barcodes\nA,Item A,grocery,each,\nB,Item B,grocery,each,4006381333931\n"
    r = _upload(client, h, "items", csv.encode())
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/items/lookup", headers=h, params={"code": "4006381333931"}).json()["item"]["sku"] == "B"


def test_suppliers_import(runtime, client) -> None:
    _, h = _setup(runtime, client)
    good = "code,name,email,currency,payment_terms_days\nS1,One,a@b.example,CNY,30\nS2,Two,,EUR,0\n"
    assert _upload(client, h, "suppliers", good.encode()).json()["created"] == 2
    before = counts(runtime)
    bad = "code,name,email,currency,payment_terms_days\nS1,One,not-an-email,CNY,30\nS3,,,eur,x\nS1,Dup,,CNY,1\n"
    r = _upload(client, h, "suppliers", bad.encode())
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {
        (2, "email"),
        (3, "name"),
        (3, "currency"),
        (3, "payment_terms_days"),
        (4, "code"),
    }
    assert counts(runtime) == before
    r = _upload(client, h, "suppliers", b"code,name\nS2,Two renamed\n")
    assert r.json()["updated"] == 1
    assert client.get(f"{API}/suppliers", headers=h, params={"q": "S2"}).json()["items"][0]["currency"] == "EUR"
    exported = client.get(f"{API}/suppliers/export", headers=h).text
    assert exported.splitlines()[0] == (
        "code,name,name_zh,email,phone,order_email,language,currency,payment_terms_days,active"
    )


def test_supplier_items_import(runtime, client) -> None:
    t, h = _setup(runtime, client)
    make_item(runtime, t, "A1", uoms={"case": "12"})
    make_item(runtime, t, "B1")
    make_supplier(runtime, t, "S1")
    make_supplier(runtime, t, "S2", currency="EUR")
    header = "supplier_code,sku,supplier_sku,purchase_uom,price,moq,order_days,price_breaks,preferred\n"
    good = header + "S1,A1,X-1,case,120.5,2,mon;thu,10:115;50:110,true\nS2,A1,,each,11,,,,false\nS2,B1,,each,3,,,,\n"
    r = _upload(client, h, "supplier-items", good.encode())
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    offers = client.get(f"{API}/suppliers", headers=h, params={"q": "S2"}).json()["items"][0]
    listed = client.get(f"{API}/suppliers/{offers['id']}/items", headers=h).json()["items"]
    assert [(o["sku"], o["currency"]) for o in listed] == [("A1", "EUR"), ("B1", "EUR")]
    before = counts(runtime)
    assert _upload(client, h, "supplier-items", good.encode()).json()["unchanged"] == 3
    assert counts(runtime) == before
    bad = header + "\n".join(
        [
            "NOPE,A1,,each,1,,,,",  # row 2: unknown supplier
            "S1,ZZ,,each,1,,,,",  # row 3: unknown SKU
            "S2,A1,,pallet,1,,,,",  # row 4: not a unit of A1
            "S2,B1,,each,12.5.1,,,,",  # row 5: bad decimal
            "S1,B1,X-1,each,1,,,,",  # row 6: supplier SKU of another item
            "S2,A1,,each,1,,xyz,5:1;5:2,true",  # row 7: duplicate pair (row 4), bad day, bad ladder
        ]
    )
    r = _upload(client, h, "supplier-items", bad.encode())
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {
        (2, "supplier_code"),
        (3, "sku"),
        (4, "purchase_uom"),
        (5, "price"),
        (6, "supplier_sku"),
        (7, "sku"),
        (7, "order_days"),
        (7, "price_breaks"),
    }
    assert counts(runtime) == before
    swap = header + "S2,A1,,each,11,,,,true\n"
    assert _upload(client, h, "supplier-items", swap.encode()).json()["updated"] == 1  # and S1 is no longer preferred
    a1 = client.get(f"{API}/items", headers=h, params={"q": "A1"}).json()["items"][0]["id"]
    prefs = client.get(f"{API}/items/{a1}/supplier-items", headers=h).json()["items"]
    assert [(o["supplier_code"], o["preferred"]) for o in prefs] == [("S1", False), ("S2", True)]


def test_assortment_import_respects_scope(runtime, client) -> None:
    t, h = _setup(runtime, client)
    make_site(runtime, t, "S001")
    make_site(runtime, t, "S002")
    item = make_item(runtime, t, "A1")
    make_item(runtime, t, "B1")
    sup = make_supplier(runtime, t, "SUP")
    make_supplier(runtime, t, "NOSELL")
    make_supplier_item(runtime, t, sup, item)
    header = "site_code,sku,min_qty,max_qty,preferred_supplier_code\n"
    good = header + "S001,A1,2,10,SUP\nS002,A1,1,5,\nS001,B1,,,\n"
    r = _upload(client, h, "assortment", good.encode())
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    before = counts(runtime)
    assert _upload(client, h, "assortment", good.encode()).json()["unchanged"] == 3
    bad = header + "XX,A1,,,\nS001,ZZ,,,\nS001,A1,9,3,\nS002,A1,,,NOSELL\nS002,B1,-1,,\n"
    r = _upload(client, h, "assortment", bad.encode())
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} == {
        (2, "site_code"),
        (3, "sku"),
        (4, "max_qty"),
        (5, "preferred_supplier_code"),
        (6, "min_qty"),
    }
    assert counts(runtime) == before
    make_user(runtime, t, "mgr", [("store_manager", "S001")])
    mgr = login(client, "mgr")
    before = counts(runtime)
    r = _upload(client, mgr, "assortment", (header + "S001,A1,3,10,SUP\nS002,A1,9,9,\n").encode())
    assert r.status_code == 422 and [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "site_code")]
    assert counts(runtime) == before
    r = _upload(client, mgr, "assortment", b"site_code,sku,min_qty\nS001,A1,3\n")
    assert r.json()["updated"] == 1
    rows = client.get(f"{API}/assortment/export", headers=h).text.splitlines()
    assert rows[1:] == ["S001,A1,true,3,10,,,SUP,", "S001,B1,true,,,,,,", "S002,A1,true,1,5,,,,"]


def test_bad_header_and_unknown_kind(runtime, client) -> None:
    t, h = _setup(runtime, client)
    r = _upload(client, h, "items", b"sku,colour\nA,red\n")
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} >= {(1, "colour"), (1, "name_en")}
    with runtime.system_uow(t.id) as uow:
        try:
            import_table(uow, "widgets", "f.csv", b"")
        except Exception as exc:
            assert "unknown table" in str(getattr(exc, "errors", [exc])[0])
        else:
            raise AssertionError("an unknown kind must be refused")


def five_thousand_items_csv() -> bytes:
    lines = ["sku,name_en,name_zh,category_code,kind,base_uom,allergens,uoms,barcodes"]
    for i in range(5000):
        payload = f"690{i:09d}"
        lines.append(f"B{i:05d},Bulk item {i},批量{i},BULK,grocery,each,nuts,case=24,{payload}{check_digit(payload)}")
    return "\n".join(lines).encode()


def test_five_thousand_items_import_in_bulk(runtime, client) -> None:
    """A 5,000-row file is imported with set-based SQL: the number of statements does not grow with the rows
    (how fast it goes is bench/imports.py's business, not a wall-clock assert that a busy machine breaks)."""
    t, h = _setup(runtime, client)
    make_category(runtime, t, "BULK")
    data = five_thousand_items_csv()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        r = _upload(client, h, "items", data)
        assert r.status_code == 200, r.text[:500]
        assert r.json()["created"] == 5000
        created = len(statements)
        assert _upload(client, h, "items", data).json()["unchanged"] == 5000
        again = len(statements) - created
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    assert again < 100, f"{again} statements to re-import 5,000 unchanged items"
    if runtime.engine.dialect.name == "postgresql":  # SQLite's ORM inserts go row by row (no insert sentinel)
        assert created < 100, f"{created} statements to create 5,000 items"

"""Imports report every error of a file at once, including references on rows that have other errors."""

from __future__ import annotations

from tests.factories import login, make_region, make_site, make_tenant, make_user


def _upload(client, headers, path, text):
    return client.post(path, headers=headers, files={"file": ("f.csv", text.encode(), "text/csv")})


def test_site_import_reports_bad_cells_and_unknown_references_of_the_same_row(runtime, client):
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    csv = (
        "code,name,kind,region_code\n"
        "S1,One,moon,NOWHERE\n"  # bad kind AND unknown region: both reported
        "S2,Two,store,EAST\n"
        "S2,Two again,store,EAST\n"  # duplicate code
    )
    r = _upload(client, h, "/api/v1/org/sites/import", csv)
    assert r.status_code == 422
    found = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert found == {(2, "kind"), (2, "region_code"), (4, "code")}
    assert client.get("/api/v1/org/sites", headers=h).json()["total"] == 0


def test_user_import_reports_unknown_sites_on_every_row(runtime, client):
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "boss", [("hq_admin", None)])
    h = login(client, "boss")
    csv = (
        "username,display_name,password,role,site_code\n"
        "ann,Ann,short,store_manager,S999\n"  # password too short AND unknown site
        "bob,Bob,long-enough-password,store_staff,S998\n"
        "cy,Cy,long-enough-password,store_staff,S001\n"
    )
    r = _upload(client, h, "/api/v1/org/users/import", csv)
    assert r.status_code == 422
    found = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert {(2, "password"), (2, "site_code"), (3, "site_code")} <= found
    assert (4, "site_code") not in found
    users = client.get("/api/v1/org/users", headers=h).json()
    assert [u["username"] for u in users["items"]] == ["boss"]


def test_supplier_user_must_name_a_supplier_of_the_same_tenant(runtime, client):
    a = make_tenant(runtime, "A")
    b = make_tenant(runtime, "B", "Beta")
    make_user(runtime, a, "boss.a", [("hq_admin", None)])
    make_user(runtime, b, "boss.b", [("hq_admin", None)])
    ha, hb = login(client, "boss.a"), login(client, "boss.b")
    r = client.post("/api/v1/catalog/suppliers", headers=ha, json={"code": "SUP1", "name": "Supplier"})
    assert r.status_code == 201, r.text
    sup_a = r.json()["id"]
    body = {
        "username": "sneaky",
        "display_name": "S",
        "password": "long-enough-password",
        "supplier_id": sup_a,
        "roles": [{"role": "supplier"}],
    }
    r = client.post("/api/v1/org/users", headers=hb, json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["supplier_id"]
    assert [u["username"] for u in client.get("/api/v1/org/users", headers=hb).json()["items"]] == ["boss.b"]
    ok = client.post("/api/v1/org/users", headers=ha, json={**body, "username": "supplier.a"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["supplier_id"] == sup_a

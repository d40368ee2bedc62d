"""Sites pages: list with live search and filters, create, edit, import with every error listed, export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from boh.kernel.audit import AuditRecord
from boh.org.models import Site
from tests.factories import TenantRef, make_region, make_site, make_tenant, make_user
from tests.web.helpers import csrf, page_login, post_form

SITE_FORM = {
    "code": "S100",
    "kind": "store",
    "name": "Harbour Store",
    "name_zh": "港湾店",
    "region_code": "EAST",
    "format": "supermarket",
    "size_class": "M",
    "area_m2": "850.50",
    "timezone": "Asia/Shanghai",
    "currency": "CNY",
    "address": "1 Harbour Rd",
    "city": "Shanghai",
    "country": "CN",
    "latitude": "31.230416",
    "longitude": "121.473701",
    "negative_stock": "flag",
    "active": "on",
    "hours_mon": "08:00-22:00",
    "hours_sat": "09:00-13:00, 15:00-21:00",
}


def _admin(runtime, client) -> TenantRef:  # type: ignore[no-untyped-def]
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    page_login(client, "boss")
    return t


def _sites(runtime) -> dict[str, Site]:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return {site.code: site for site in s.scalars(select(Site))}


def test_list_searches_filters_and_paginates(runtime, client) -> None:
    t = _admin(runtime, client)
    for i in range(30):
        make_site(runtime, t, f"S{i:03d}", city="Hangzhou" if i == 7 else "Shanghai")
    make_site(runtime, t, "DC01", kind="dc", region_code="EAST")
    page = client.get("/org/sites")
    assert page.status_code == 200
    assert "31 sites" in page.text and "Page 1 of 2" in page.text
    assert 'hx-trigger="keyup changed delay:300ms from:#f-q, change, submit"' in page.text
    partial = client.get("/org/sites?q=hangzhou", headers={"HX-Request": "true", "HX-Target": "site-results"})
    assert "<html" not in partial.text  # only the results are swapped in
    assert "S007" in partial.text and "S008" not in partial.text and "1 site" in partial.text
    dcs = client.get("/org/sites?kind=dc").text
    assert "DC01" in dcs and "S001" not in dcs
    region_id = _sites(runtime)["DC01"].region_id
    assert "DC01" in client.get(f"/org/sites?region_id={region_id}").text
    page2 = client.get("/org/sites?page=2").text
    assert "S029" in page2 and "S000" not in page2 and "Page 2 of 2" in page2


def test_create_site_from_the_form(runtime, client) -> None:
    _admin(runtime, client)
    r = post_form(client, "/org/sites/new", SITE_FORM)
    assert r.status_code == 303, r.text
    site = _sites(runtime)["S100"]
    assert r.headers["location"] == f"/org/sites/{site.id}"
    assert site.name_zh == "港湾店" and str(site.area_m2) == "850.50" and str(site.latitude) == "31.230416"
    assert site.opening_hours == {"mon": ["08:00-22:00"], "sat": ["09:00-13:00", "15:00-21:00"]}
    assert site.region_id is not None and site.active
    detail = client.get(r.headers["location"])
    assert "Site S100 created." in detail.text  # flash message shown once
    assert "Site S100 created." not in client.get(r.headers["location"]).text
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "org.site.create"))


def test_create_with_errors_lists_every_field_and_writes_nothing(runtime, client) -> None:
    _admin(runtime, client)
    bad = {
        **SITE_FORM,
        "code": "bad code!",
        "name": "",
        "timezone": "Mars/Base",
        "latitude": "91",
        "hours_mon": "8am-10pm",
    }
    r = post_form(client, "/org/sites/new", bad)
    assert r.status_code == 422
    for field in ("code", "name", "timezone", "latitude"):
        assert f'id="e-{field}"' in r.text, field
    assert "Must be at most 90" in r.text and "unknown timezone" in r.text
    assert "The format is not valid" in r.text  # opening hours
    assert 'value="Harbour Store"' not in r.text and 'value="港湾店"' in r.text  # the typed values are kept
    assert _sites(runtime) == {}


def test_duplicate_code_is_a_field_error(runtime, client) -> None:
    _admin(runtime, client)
    assert post_form(client, "/org/sites/new", SITE_FORM).status_code == 303
    r = post_form(client, "/org/sites/new", {**SITE_FORM, "name": "Other"})
    assert r.status_code == 422 and "This code is already used by another site." in r.text
    assert _sites(runtime)["S100"].name == "Harbour Store"


def test_edit_site(runtime, client) -> None:
    _admin(runtime, client)
    post_form(client, "/org/sites/new", SITE_FORM)
    site = _sites(runtime)["S100"]
    form = client.get(f"/org/sites/{site.id}").text
    assert 'value="Harbour Store"' in form and 'value="09:00-13:00, 15:00-21:00"' in form
    edit = {**SITE_FORM, "name": "Harbour Superstore", "region_code": "", "area_m2": "900", "hours_sat": ""}
    edit.pop("active")  # unticked checkbox: not sent
    r = post_form(client, f"/org/sites/{site.id}", edit)
    assert r.status_code == 303
    after = _sites(runtime)["S100"]
    assert after.name == "Harbour Superstore" and after.region_id is None and not after.active
    assert str(after.area_m2) == "900.00" and after.opening_hours == {"mon": ["08:00-22:00"]}
    assert "Site S100 saved." in client.get(r.headers["location"]).text


def test_edit_with_errors_keeps_the_site_unchanged(runtime, client) -> None:
    _admin(runtime, client)
    post_form(client, "/org/sites/new", SITE_FORM)
    site = _sites(runtime)["S100"]
    r = post_form(client, f"/org/sites/{site.id}", {**SITE_FORM, "name": "", "currency": "yuan", "region_code": "NOPE"})
    assert r.status_code == 422
    assert 'id="e-name"' in r.text and 'id="e-currency"' in r.text
    after = _sites(runtime)["S100"]
    assert after.name == "Harbour Store" and after.currency == "CNY"
    r = post_form(client, f"/org/sites/{site.id}", {**SITE_FORM, "region_code": "NOPE"})
    assert r.status_code == 422 and "Unknown region." in r.text
    assert _sites(runtime)["S100"].region_id == site.region_id


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_import_with_errors_lists_every_error_and_creates_nothing(runtime, client) -> None:
    _admin(runtime, client)
    data = _csv(
        [
            ["code", "name", "kind", "region_code", "latitude"],
            ["S001", "Good One", "store", "EAST", "31.2"],
            ["S002", "", "store", "", ""],
            ["S003", "Moon Base", "moon", "", "95"],
            ["S001", "Twice", "store", "WEST", ""],
        ]
    )
    r = client.post(
        "/org/sites/import",
        files={"file": ("sites.csv", data, "text/csv")},
        data={"csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 422
    rows = r.text.split('data-testid="import-error"')[1:]
    found = {(row.split('class="num">')[1].split("<")[0], row.split("<code>")[1].split("<")[0]) for row in rows}
    assert found == {("3", "name"), ("4", "kind"), ("4", "latitude"), ("5", "code"), ("5", "region_code")}
    assert "Nothing was imported: 5 problem(s)" in r.text
    assert _sites(runtime) == {}


def test_import_creates_and_updates_then_export_round_trips(runtime, client) -> None:
    _admin(runtime, client)
    post_form(client, "/org/sites/new", SITE_FORM)
    data = _csv([["code", "name", "kind", "city"], ["S100", "Renamed", "store", "Ningbo"], ["S200", "New", "dc", ""]])
    r = client.post(
        "/org/sites/import",
        files={"file": ("sites.csv", data, "text/csv")},
        data={"csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/org/sites"
    assert "Import finished: 1 created, 1 updated." in client.get("/org/sites").text
    sites = _sites(runtime)
    assert sites["S100"].name == "Renamed" and sites["S100"].city == "Ningbo" and sites["S200"].kind == "dc"
    assert sites["S100"].opening_hours == {"mon": ["08:00-22:00"], "sat": ["09:00-13:00", "15:00-21:00"]}  # kept
    export = client.get("/org/sites/export?format=csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.text)))
    assert lines[0][:3] == ["code", "name", "name_zh"] and [r[0] for r in lines[1:]] == ["S100", "S200"]
    xlsx = client.get("/org/sites/export?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_import_without_a_file_asks_for_one(runtime, client) -> None:
    _admin(runtime, client)
    r = post_form(client, "/org/sites/import")
    assert r.status_code == 422 and "Choose a file to upload." in r.text


def test_store_manager_sees_own_site_read_only(runtime, client) -> None:
    t = make_tenant(runtime)
    own = make_site(runtime, t, "S001")
    other = make_site(runtime, t, "S002")
    make_user(runtime, t, "mgr", [("store_manager", "S001")], locale="en")
    page_login(client, "mgr")
    listing = client.get("/org/sites").text
    assert "S001" in listing and "S002" not in listing and "New site" not in listing
    detail = client.get(f"/org/sites/{own}").text
    assert '<form method="post" action="/org/sites/' not in detail and "Store S001" in detail
    hidden = client.get(f"/org/sites/{other}")
    assert hidden.status_code == 404 and "Page not found" in hidden.text

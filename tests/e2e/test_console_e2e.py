"""The console in a real browser: sign in, language switch, sites import errors, phone layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from boh.org.models import Site
from tests.e2e.helpers import body_overflows, csv_file, import_errors, sign_in
from tests.factories import make_region, make_site, make_tenant, make_user

pytestmark = pytest.mark.e2e


def _site_count(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Site)) or 0)


def test_sign_in_wrong_then_right_password(runtime, page, shot) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001")
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss", "not-the-password")
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong username or password.")
    expect(page).to_have_url(re.compile(r"/login"))
    shot(page, "login-error")
    sign_in(page, "boss")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1").first).to_have_text("Today")
    expect(page.get_by_test_id("user-name")).to_have_text("Boss")
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme Foods")
    expect(page.get_by_test_id("todos")).to_be_visible()  # the today page of the company's one store
    expect(page.locator("h2").first).to_contain_text("Store S001")
    shot(page, "dashboard-desktop")


def test_switch_language_to_chinese_and_back(runtime, page, shot) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss", path="/org/sites")
    nav = page.locator("#main-nav .nav-links")
    expect(nav).to_contain_text("Sites")
    page.get_by_test_id("lang-switch").click()
    expect(nav).to_contain_text("站点")
    expect(nav).to_contain_text("今日")
    expect(page.locator("h1")).to_have_text("站点")
    expect(page).to_have_url(re.compile(r"/org/sites$"))  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("tenant-name")).to_have_text("阿克米食品")
    shot(page, "sites-zh")
    page.get_by_test_id("lang-switch").click()
    expect(nav).to_contain_text("Sites")
    expect(nav).not_to_contain_text("站点")


def test_live_search_updates_the_results_in_place(runtime, page) -> None:
    t = make_tenant(runtime)
    make_site(runtime, t, "S001", city="Shanghai")
    make_site(runtime, t, "S002", city="Hangzhou")
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss", path="/org/sites")
    rows = page.locator("[data-testid=sites-table] tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.__marker = 'same page'")
    page.fill("#f-q", "hangzho")
    page.locator("#f-q").press("u")  # keyup triggers the htmx search
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("S002")
    assert page.evaluate("window.__marker") == "same page"  # swapped by htmx, no reload
    expect(page).to_have_url(re.compile(r"q=hangzhou"))


def test_import_with_errors_lists_every_error_and_creates_nothing(runtime, page, shot) -> None:
    t = make_tenant(runtime)
    make_region(runtime, t, "EAST")
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss", path="/org/sites")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("h1")).to_have_text("Import sites")
    page.set_input_files(
        "#f-file",
        csv_file(
            "sites.csv",
            [
                ["code", "name", "kind", "region_code", "latitude"],
                ["S001", "Good", "store", "EAST", "31.2"],
                ["S002", "", "store", "", ""],
                ["S003", "Moon", "moon", "", "95"],
                ["S001", "Again", "store", "NORTH", ""],
            ],
        ),
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text("Nothing was imported: 5 problem(s)")
    assert import_errors(page) == {("3", "name"), ("4", "kind"), ("4", "latitude"), ("5", "code"), ("5", "region_code")}
    shot(page, "sites-import-errors")
    assert _site_count(runtime) == 0
    page.goto("/org/sites")
    expect(page.get_by_text("No site matches these filters.")).to_be_visible()


def test_create_and_edit_a_site(runtime, page) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss", path="/org/sites/new")
    page.fill("#f-code", "S500")
    page.fill("#f-name", "Riverside")
    page.fill("#f-latitude", "123")
    page.get_by_role("button", name="Create site").click()
    expect(page.locator("#e-latitude")).to_have_text("Must be at most 90")
    assert _site_count(runtime) == 0
    page.fill("#f-latitude", "31.5")
    page.get_by_role("button", name="Create site").click()
    expect(page.locator(".flash")).to_have_text("Site S500 created.")
    page.fill("#f-name", "Riverside Market")
    page.fill("#f-hours_mon", "08:00-21:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Site S500 saved.")
    expect(page.locator("#f-name")).to_have_value("Riverside Market")
    expect(page.locator("#f-hours_mon")).to_have_value("08:00-21:00")


def test_phone_layout_collapses_the_nav_and_fits_the_screen(runtime, browser, live_server, shot) -> None:
    t = make_tenant(runtime)
    for i in range(12):
        make_site(runtime, t, f"S{i:03d}", city="Shanghai", address="No. 1000 Extraordinarily Long Road Name")
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    ctx = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        page = ctx.new_page()
        sign_in(page, "boss", path="/org/sites")
        toggle = page.locator("[data-nav-toggle]")
        expect(toggle).to_be_visible()
        expect(page.get_by_role("link", name="Sites", exact=True)).to_be_hidden()
        shot(page, "sites-phone", full_page=False)
        assert not body_overflows(page)
        toggle.click()
        expect(page.get_by_role("link", name="Sites", exact=True)).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        shot(page, "sites-phone-menu", full_page=False)
        page.goto("/org/sites/1")
        assert not body_overflows(page)
    finally:
        ctx.close()


def test_desktop_shows_the_nav_without_toggle(runtime, page) -> None:
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    sign_in(page, "boss")
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    expect(page.get_by_role("link", name="Sites", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", [1366, 900])
def test_every_menu_entry_and_sign_out_fit_a_desktop_screen(runtime, page, width: int, shot) -> None:
    """HQ sees every domain's menu entry: on a desktop the menu wraps to more rows instead of running off
    the screen (where the page's hidden overflow made the last entries and "Sign out" unreachable)."""
    t = make_tenant(runtime)
    make_user(runtime, t, "boss", [("hq_admin", None)], locale="en")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "boss")
    entries = page.locator("#main-nav a, #main-nav button")
    assert entries.count() > 15  # every domain's entry, the notifications, the language and sign out
    for i in range(entries.count()):
        box = entries.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, entries.nth(i).inner_text()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert not body_overflows(page)
    shot(page, f"nav-desktop-{width}", full_page=False)

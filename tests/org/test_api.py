"""The org api's site look-ups as other domains call them."""

from __future__ import annotations

from boh.bootstrap import Runtime
from boh.org.api import SiteStockSettings, site_ids_by_code, site_stock_settings, site_stock_settings_by_code
from tests.factories import make_site, make_tenant


def test_stock_settings_by_code_are_those_by_id_of_the_tenants_sites_only(runtime: Runtime) -> None:
    t, other = make_tenant(runtime, "ACME"), make_tenant(runtime, "BETA")
    sh01 = make_site(runtime, t, "SH01")
    sh09 = make_site(runtime, t, "SH09", negative_stock="refuse", timezone="Europe/Paris", currency="EUR")
    make_site(runtime, other, "SH02")
    with runtime.session_factory() as s:
        by_code = site_stock_settings_by_code(s, t.id, ["SH01", "SH09", "SH09", "SH02", "NOPE"])
        ids = site_ids_by_code(s, t.id, ["SH01", "SH09"])
        by_id = site_stock_settings(s, t.id, ids.values())
        assert site_stock_settings_by_code(s, t.id, []) == {}
    assert by_code == {"SH01": by_id[sh01], "SH09": by_id[sh09]}
    assert by_code["SH09"] == SiteStockSettings(sh09, "Europe/Paris", "EUR", "refuse")

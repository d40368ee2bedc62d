"""One nightly suggestion run: a tenant of N sites x M items (default 20 x 5,000: 100,000 site x items in the
assortment), every item sold by a supplier with a case, MOQ and lead time, a forecast with quantiles for every
site x item (14 days), one sale in three weeks of history for a third of the items (classification), no stock
on hand (every site x item needs an order: the most lines to write). Times ``boh replenish run`` 's code path
(``service.run.execute``: set-based reads per site, pure rules, one executemany per site) and prints the time,
lines, rate; last line one JSON object.

    python bench/replenish_run.py                       # 20 x 5,000 on SQLite
    python bench/replenish_run.py --backend postgresql  # the same on PostgreSQL (127.0.0.1:5432)
    python bench/replenish_run.py --quick               # 4 x 1,000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import cpu  # bench/cpu.py (the script's directory is on the path)
import scratchdb  # bench/scratchdb.py
from sqlalchemy import insert, text

from boh.bootstrap import build_runtime, upgrade_database
from boh.catalog.models import Assortment, Category, Item, Supplier, SupplierItem
from boh.forecasting.models import Forecast
from boh.forecasting.models import Run as ForecastRun
from boh.org import service as org
from boh.org.schemas import SiteCreate
from boh.replenishment.service import run as runs
from boh.settings import Settings, WorkerSettings

PG = os.environ.get("BOH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
APP = "boh-bench-replenish"
DAY = date(2026, 3, 2)
D = Decimal


def build(rt, n_sites: int, n_items: int, seed: int) -> int:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    with rt.system_uow(0) as uow:
        t = org.create_tenant(uow, code="BENCH", name="Bench Foods", name_zh="基准食品")
        uow.commit()
        tid = t.id
    with rt.system_uow(tid) as uow:
        sites = [org.create_site(uow, SiteCreate(code=f"S{i:03d}", name=f"Store {i}", name_zh=f"门店{i}",
                                                 kind="store")).id for i in range(n_sites)]  # fmt: skip
        cat = Category(tenant_id=tid, code="GROC", name_en="Grocery", name_zh="杂货")
        sup = Supplier(tenant_id=tid, code="SUP", name="Supplier", name_zh="供应商", currency="CNY")
        uow.session.add_all([cat, sup])
        uow.flush()
        s = uow.session
        s.execute(insert(Item), [dict(tenant_id=tid, sku=f"SKU{i:05d}", name_en=f"Item {i}", name_zh=f"商品{i}",
                                      kind="grocery", base_uom="each", storage_class="ambient", perishable=i % 5 == 0,
                                      shelf_life_days=3 if i % 5 == 0 else None, allergens=[], active=True,
                                      category_id=cat.id) for i in range(n_items)])  # fmt: skip
        items = list(s.scalars(text("SELECT id FROM catalog_item WHERE tenant_id = :t ORDER BY id"), {"t": tid}))
        s.execute(insert(SupplierItem), [dict(tenant_id=tid, supplier_id=sup.id, item_id=i, purchase_uom="each",
                                              price=D(rng.randint(100, 2000)) / 100, currency="CNY", moq=D(0),
                                              order_multiple=D(rng.choice([1, 6, 12])),
                                              lead_time_days=rng.randint(1, 3),
                                              order_days=[], price_breaks=[], preferred=True, active=True)
                                         for i in items])  # fmt: skip
        s.execute(insert(Assortment), [dict(tenant_id=tid, site_id=site, item_id=i, active=True)
                                       for site in sites for i in items])  # fmt: skip
        fr = ForecastRun(tenant_id=tid, model_version="bench", config={}, series=len(sites) * len(items),
                         origin=DAY - timedelta(days=1))  # fmt: skip
        s.add(fr)
        s.flush()
        uow.commit()
        fr_id = fr.id
    means = {i: D(rng.randint(1, 40)) for i in items}
    for site in sites:
        with rt.system_uow(tid) as uow:
            uow.session.execute(insert(Forecast), [
                dict(run_id=fr_id, site_id=site, item_id=i, day=DAY + timedelta(days=k), tenant_id=tid, model="bench",
                     mean=means[i], q50=means[i], q80=means[i] + 1, q90=means[i] + 2, q95=means[i] + 3,
                     q99=means[i] + 5)
                for i in items for k in range(14)])  # fmt: skip
            uow.commit()
    return tid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.sites, args.items = 4, 1000
    with tempfile.TemporaryDirectory() as tmp:
        url, pg_name = scratchdb.create(args.backend, Path(tmp), "repl", APP)
        try:
            upgrade_database(url)
            settings = Settings(database_url=url, data_dir=Path(tmp) / "data", log_json=False,
                                secret_key="bench-secret-key-long-enough-for-hs256",
                                worker=WorkerSettings(embedded=False))  # type: ignore[arg-type]  # fmt: skip
            rt = build_runtime(settings)
            t0 = time.perf_counter()
            tid = build(rt, args.sites, args.items, args.seed)
            if pg_name:  # as at night: the forecasts were written hours before and autovacuum has been by
                with rt.engine.connect() as c:
                    c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")
            setup_s = time.perf_counter() - t0
            with rt.system_uow(tid) as uow:
                r = runs.create_run(uow, order_day=DAY, idempotency_key="bench")
                uow.commit()
                run_id = r.id
            pg0 = cpu.backend_cpu(PG, APP) if pg_name else {}
            t1, cpu1 = time.perf_counter(), time.process_time()
            out = runs.execute(rt, tid, run_id)
            elapsed, used = time.perf_counter() - t1, time.process_time() - cpu1
            pg_cpu = cpu.delta(pg0, cpu.backend_cpu(PG, APP)) if pg_name else 0.0
            load = os.getloadavg()[0]
        finally:
            scratchdb.drop(pg_name)
    pairs = args.sites * args.items
    print(f"set-up: {args.sites} sites x {args.items} items in {setup_s:.1f} s")
    print(f"suggestion run: {elapsed:.1f} s wall, {used:.1f} s CPU (this process) + {pg_cpu:.1f} s CPU "
          f"(PostgreSQL backends), {out.lines} lines, {pairs / elapsed:.0f} site x items/s ({args.backend}); "
          f"load average {load:.1f} on {os.cpu_count()} cores: on a shared machine the wall time is inflated, the "
          f"CPU seconds are not")  # fmt: skip
    print(json.dumps({"backend": args.backend, "sites": args.sites, "items": args.items, "lines": out.lines,
                      "suggestion_run_s": round(elapsed, 2), "cpu_s": round(used, 2), "pg_cpu_s": round(pg_cpu, 2),
                      "load_avg": round(load, 1),
                      "pairs_per_s": round(pairs / elapsed)}))  # fmt: skip


if __name__ == "__main__":
    main()

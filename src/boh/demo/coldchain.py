"""The demo chain's cold chain: a fridge with temperature and door sensors in every store and a cold room at
the DC, the last 24 hours of their 1-minute readings from the seeded simulator (defrost cycles, door
openings), and one past excursion: the DC's cold room failed for two and a half hours, so its chilled lots
were flagged and, past the 2-hour time-temperature limit, quarantined, waiting for a person's decision.

Every unit has a humidity sensor too: the DC's walk-in cold room runs at about 90 % relative humidity
(limits 80-95 %), the stores' reach-in fridges at about 80 % (limits 65-95 %); defrost raises it for a while,
an open door lets drier room air in. The first store's fridge had a humidity excursion this morning (its
drain was blocked: about 97 % for an hour and a half), told once, its lots not flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from boh.coldchain import service
from boh.coldchain.schemas import DefrostWindow, SensorCreate, UnitCreate
from boh.coldchain.simulator import DEFROST, Simulator
from boh.demo.refs import OrgRefs
from boh.kernel.clock import utcnow
from boh.kernel.uow import UnitOfWork

HOURS = 24
LOCAL_OFFSET = 8 * 60  # the demo's sites are in Asia/Shanghai (UTC+8, no summer time)


@dataclass
class ColdChainRefs:
    units: int = 0
    readings: int = 0
    excursions: int = 0


def load_coldchain(uow: UnitOfWork, seed: int, o: OrgRefs) -> ColdChainRefs:
    now = utcnow().replace(second=0, microsecond=0)
    start = now - timedelta(hours=HOURS)
    codes = [*o.store_codes, o.dc_code]
    sim = Simulator(seed, units=len(codes), days=1, start=start, excursions_per_unit=0, dropouts_per_unit=0,
                    doors_per_day=10, prefix="CC")  # fmt: skip
    for u in sim.units:
        u.kind, u.base, u.limit = "fridge", 3.0, 5.0
    dc = sim.units[-1]
    dc.doors = []
    failure = next(m for m in range(16 * 60, 4 * 60, -15) if sim._free(dc, m, 150, margin=60))
    dc.excursions = [(failure, 150, 9.5)]  # the compressor failed: 2.5 hours at about 9.5 °C
    for u in sim.units:
        u.humidity = 80.0
    dc.humidity = 90.0
    wet = sim.units[0]
    drain = next(m for m in range(sim.minutes - 6 * 60, 4 * 60, -15) if sim._free(wet, m, 100, margin=60))
    wet.humid_excursions = [(drain, 100, 97.2)]  # a blocked drain: about 97 % for 100 minutes
    wet.doors = [(s, n) for s, n in wet.doors if s + n + 15 < drain or s > drain + 115]
    local = [DefrostWindow(start=f"{(s + LOCAL_OFFSET) // 60 % 24:02d}:{s % 60:02d}", minutes=n) for s, n in DEFROST]
    units = []
    for code, su in zip(codes, sim.units, strict=True):
        dc_room = code == o.dc_code
        unit = service.create_unit(uow, UnitCreate(
            site_id=o.site_ids[code], code="COLD-1" if dc_room else "F1", name="Cold room" if dc_room else "Fridge",
            name_zh="冷库" if dc_room else "冷藏柜", kind="fridge", defrost=local,
            humidity_min_pct=Decimal(80 if dc_room else 65), humidity_max_pct=Decimal(95),
        ))  # fmt: skip
        service.add_sensor(uow, unit.id, SensorCreate(code=su.temp_sensor, kind="temperature"))
        service.add_sensor(uow, unit.id, SensorCreate(code=su.door_sensor, kind="door"))
        service.add_sensor(uow, unit.id, SensorCreate(code=su.humidity_sensor, kind="humidity"))
        units.append(unit)
    refs = ColdChainRefs(units=len(units))
    for first in range(0, sim.minutes, 120):
        batch = [r for minute in sim.minutes_of(first, min(first + 120, sim.minutes)) for r in minute]
        result = service.ingest(uow, batch, transport="demo")
        refs.readings += result.accepted
    return refs

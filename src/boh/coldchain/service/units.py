"""Units, their sensors and where lots are stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from boh.coldchain.domain import DEFAULTS
from boh.coldchain.errors import DuplicateCode
from boh.coldchain.models import LotPlacement, Sensor, Unit
from boh.coldchain.schemas import PlacementIn, SensorCreate, UnitCreate, UnitUpdate
from boh.coldchain.service._common import WRITE, get_unit
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref


def create_unit(uow: UnitOfWork, data: UnitCreate) -> Unit:
    scope = uow.principal.scope(WRITE)
    get_site_ref(uow.session, scope, data.site_id)
    taken = uow.session.scalar(
        select(Unit.id).where(Unit.tenant_id == uow.tenant_id, Unit.site_id == data.site_id, Unit.code == data.code)
    )
    if taken is not None:
        raise DuplicateCode(f"unit code {data.code!r} is already used at this site")
    d: dict[str, Any] = DEFAULTS[data.kind]
    unit = Unit(
        tenant_id=uow.tenant_id, site_id=data.site_id, code=data.code, name=data.name, name_zh=data.name_zh,
        kind=data.kind, storage_class=d["storage_class"], is_default=data.is_default,
        limit_c=data.limit_c if data.limit_c is not None else d["limit_c"], direction=d["direction"],
        hysteresis_c=data.hysteresis_c, min_duration_s=data.min_duration_s, door_grace_s=data.door_grace_s,
        door_max_s=data.door_max_s, dropout_s=data.dropout_s, reading_gap_s=data.reading_gap_s,
        tt_limit_min=data.tt_limit_min or d["tt_limit_min"], defrost=[w.model_dump() for w in data.defrost],
        defrost_recovery_s=data.defrost_recovery_s, humidity_min_pct=data.humidity_min_pct,
        humidity_max_pct=data.humidity_max_pct, humidity_hysteresis_pct=data.humidity_hysteresis_pct, active=True,
    )  # fmt: skip
    uow.session.add(unit)
    uow.flush()
    uow.audit("coldchain.unit.create", "coldchain_unit", unit.id, after={"code": unit.code, "kind": unit.kind})
    return unit


def update_unit(uow: UnitOfWork, unit_id: int, data: UnitUpdate) -> Unit:
    unit = get_unit(uow, uow.principal.scope(WRITE), unit_id, lock=True)
    changes = data.model_dump(exclude_unset=True)
    if "defrost" in changes and data.defrost is not None:
        changes["defrost"] = [w.model_dump() for w in data.defrost]
    for key, value in changes.items():
        if value is not None:
            setattr(unit, key, value)
    low, high = unit.humidity_min_pct, unit.humidity_max_pct
    if low is not None and high is not None and low >= high:
        raise ValidationFailed([FieldError(("humidity_min_pct",), "humidity_min_pct must be below humidity_max_pct")])
    uow.flush()
    uow.audit("coldchain.unit.update", "coldchain_unit", unit.id, after={k: str(v) for k, v in changes.items()})
    return unit


def add_sensor(uow: UnitOfWork, unit_id: int, data: SensorCreate) -> Sensor:
    unit = get_unit(uow, uow.principal.scope(WRITE), unit_id)
    if uow.session.scalar(select(Sensor.id).where(Sensor.tenant_id == uow.tenant_id, Sensor.code == data.code)):
        raise DuplicateCode(f"sensor code {data.code!r} is already used")
    sensor = Sensor(tenant_id=uow.tenant_id, unit_id=unit.id, code=data.code, kind=data.kind, active=True)
    uow.session.add(sensor)
    uow.flush()
    uow.audit("coldchain.sensor.create", "coldchain_sensor", sensor.id, after={"code": data.code, "unit": unit.id})
    return sensor


def place_lot(uow: UnitOfWork, data: PlacementIn) -> LotPlacement:
    """Put a lot in a given unit of its site (else it is in the site's unit for its item's storage class)."""
    unit = get_unit(uow, uow.principal.scope(WRITE), data.unit_id)
    if unit.site_id != data.site_id:
        raise ValidationFailed([FieldError(("unit_id",), "the unit is not at this site", "coldchain.site_mismatch")])
    row = uow.session.scalars(
        select(LotPlacement).where(
            LotPlacement.tenant_id == uow.tenant_id,
            LotPlacement.site_id == data.site_id,
            LotPlacement.lot_id == data.lot_id,
        )
    ).one_or_none()
    if row is None:
        row = LotPlacement(tenant_id=uow.tenant_id, site_id=data.site_id, lot_id=data.lot_id, unit_id=unit.id)
        uow.session.add(row)
    row.unit_id = unit.id
    uow.flush()
    uow.audit("coldchain.lot.place", "coldchain_lot_placement", row.id, after={"lot": data.lot_id, "unit": unit.id})
    return row

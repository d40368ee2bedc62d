"""JSON API of the cold chain under /api/v1/coldchain: units and sensors, readings in (batches with an error
per reading), excursions and the decisions on their lots, HACCP records, lot placement, dead letters."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

import anyio.to_thread
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from boh.coldchain import queries, service
from boh.coldchain.models import DeadLetter
from boh.coldchain.mqtt import open_payload
from boh.coldchain.schemas import (
    DecisionIn,
    ExcursionRead,
    ExposureRead,
    IngestResult,
    PlacementIn,
    ReadingsIn,
    RecordIn,
    RecordRead,
    Rejected,
    SensorCreate,
    SensorRead,
    UnitCreate,
    UnitRead,
    UnitUpdate,
)
from boh.coldchain.service import DECIDE, INGEST, READ, RECORD, WRITE
from boh.http.deps import UowDep, request_uow
from boh.http.pagination import Page, PageDep
from boh.http.routing import SecureRouter
from boh.kernel.errors import FieldError, ValidationFailed

router = SecureRouter(prefix="/api/v1/coldchain", tags=["coldchain"])
_REF = "#/components/schemas/{model}"


@router.get("/units", perm=READ, response_model=list[UnitRead], summary="Units (fridges, freezers, ...) with sensors")
def list_units(uow: UowDep, site_id: int | None = None) -> list[UnitRead]:
    return queries.list_units(uow, uow.principal.scope(READ), site_id)


@router.post("/units", perm=WRITE, status_code=201, response_model=UnitRead,
             summary="Add a unit (limits default to the HACCP practice of its kind)")  # fmt: skip
def create_unit(uow: UowDep, body: UnitCreate) -> UnitRead:
    unit = service.create_unit(uow, body)
    uow.commit()
    return UnitRead.model_validate(unit)


@router.patch("/units/{unit_id}", perm=WRITE, response_model=UnitRead, summary="Change a unit's limits or defrost")
def update_unit(uow: UowDep, unit_id: int, body: UnitUpdate) -> UnitRead:
    unit = service.update_unit(uow, unit_id, body)
    uow.commit()
    return UnitRead.model_validate(unit)


@router.post("/units/{unit_id}/sensors", perm=WRITE, status_code=201, response_model=SensorRead,
             summary="Add a sensor to a unit")  # fmt: skip
def add_sensor(uow: UowDep, unit_id: int, body: SensorCreate) -> SensorRead:
    sensor = service.add_sensor(uow, unit_id, body)
    uow.commit()
    return SensorRead.model_validate(sensor)


@router.post("/placements", perm=WRITE, status_code=204, summary="Put a lot in a given unit of its site")
def place_lot(uow: UowDep, body: PlacementIn) -> None:
    service.place_lot(uow, body)
    uow.commit()


@router.post(
    "/readings", perm=INGEST, response_model=IngestResult,
    summary="Ingest a batch of sensor readings (the same envelope as over MQTT)",
    description='`{"readings": [...]}` of up to 5,000 readings, or one reading. Each bad reading is reported by '
    "index with a stable code (coldchain.unknown_sensor, coldchain.bad_time, coldchain.out_of_range, "
    "coldchain.future_reading, coldchain.site_mismatch, coldchain.malformed_reading) and kept as a dead letter; "
    "the good ones are stored. Exactly-once per reading_id: a retried batch reports duplicates and changes "
    "nothing. A body that is not an envelope is refused whole (422 problem+json).",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": ReadingsIn.model_json_schema(ref_template=_REF)}}}},
)  # fmt: skip
async def post_readings(request: Request) -> IngestResult:
    body = await request.body()

    def work() -> IngestResult:
        raw, whole = open_payload(body)
        if whole is not None:
            raise ValidationFailed([FieldError(("body",), whole.message, whole.code)], detail=whole.message)
        with request_uow(request) as uow:
            result = service.ingest(uow, raw, transport="http")
            uow.commit()
            return result

    return await anyio.to_thread.run_sync(work)


@router.get(
    "/excursions", perm=READ, response_model=Page[ExcursionRead], summary="Excursions and dropouts, newest first"
)
def list_excursions(uow: UowDep, page: PageDep, site_id: int | None = None, unit_id: int | None = None,
                    kind: str | None = None, since: datetime | None = None) -> Page[ExcursionRead]:  # fmt: skip
    items, total = queries.list_excursions(uow, uow.principal.scope(READ), site_id=site_id, unit_id=unit_id,
                                           kind=kind, since=since, limit=page.limit, offset=page.offset)  # fmt: skip
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/excursions/{excursion_id}", perm=READ, response_model=ExcursionRead,
            summary="An excursion with the lots it exposed")  # fmt: skip
def get_excursion(uow: UowDep, excursion_id: int) -> ExcursionRead:
    return queries.get_excursion(uow, uow.principal.scope(READ), excursion_id)


@router.post("/exposures/{exposure_id}/decision", perm=DECIDE, response_model=ExposureRead,
             summary="Release a flagged or quarantined lot (with a reason) or waste it",
             responses={409: {"description": "coldchain.already_decided"}})  # fmt: skip
def decide(uow: UowDep, exposure_id: int, body: DecisionIn) -> ExposureRead:
    row = service.decide(uow, exposure_id, action=body.action, reason=body.reason)
    exc = queries.get_excursion(uow, uow.principal.scope(DECIDE), row.excursion_id)  # answer built before the commit
    out = next(e for e in exc.exposures if e.id == row.id)
    uow.commit()
    return out


@router.post("/units/{unit_id}/records", perm=RECORD, status_code=201, response_model=RecordRead,
             summary="A corrective action or a day's sign-off in the HACCP log")  # fmt: skip
def add_record(uow: UowDep, unit_id: int, body: RecordIn) -> RecordRead:
    row = service.add_record(uow, unit_id, body)
    uow.commit()
    return RecordRead.model_validate(row)


class DeadLetterRead(BaseModel):
    id: int
    transport: str
    topic: str | None
    reading_id: str | None
    code: str
    message: str
    payload: Any
    received_at: datetime
    status: str = Field(description="open, or replayed once its readings went in")
    attempts: int = Field(description="Replays tried")
    replayed_at: datetime | None
    replayed_by: str | None


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    corrected: Any | None = Field(
        default=None, description="The fixed reading (or message) to ingest instead of the stored payload"
    )


class ReplayManyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(default_factory=list, max_length=1000, description="These letters (none: all open)")
    code: str | None = Field(default=None, max_length=60, description="With no ids: only the open ones of this code")


class ReplayRead(BaseModel):
    letter_id: int
    status: str
    accepted: int
    duplicates: int
    rejected: list[Rejected]
    already: bool = Field(description="It had been replayed before: nothing was done")


def _letter(r: DeadLetter) -> DeadLetterRead:
    return DeadLetterRead(
        id=r.id, transport=r.transport, topic=r.topic, reading_id=r.reading_id, code=r.code, message=r.message,
        payload=json.loads(r.payload), received_at=r.received_at, status=r.status, attempts=r.attempts,
        replayed_at=r.replayed_at, replayed_by=r.replayed_by,
    )  # fmt: skip


@router.get("/dead-letters", perm=WRITE, response_model=Page[DeadLetterRead], summary="Rejected readings, newest first")
def dead_letters(
    uow: UowDep, page: PageDep, status: Literal["open", "replayed"] | None = None, code: str | None = None
) -> Page[DeadLetterRead]:
    if uow.principal.scope(WRITE).site_ids is not None:  # letters name no site for sure: tenant-wide users only
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    rows, total = service.list_letters(uow, status=status, code=code, limit=page.limit, offset=page.offset)
    return Page(items=[_letter(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/dead-letters/{letter_id}/replay", perm=WRITE, response_model=ReplayRead,
    summary="Replay a dead letter once its cause is fixed (optionally with a corrected reading); exactly-once",
)  # fmt: skip
def replay_letter(uow: UowDep, letter_id: int, body: ReplayIn | None = None) -> ReplayRead:
    r = service.replay(uow, letter_id, corrected=body.corrected if body else None)
    uow.commit()
    return ReplayRead(**asdict(r))


@router.post(
    "/dead-letters/replay", perm=WRITE, response_model=list[ReplayRead],
    summary="Replay several dead letters (or every open one, of a code): each is ingested exactly once",
)  # fmt: skip
def replay_letters(uow: UowDep, body: ReplayManyIn) -> list[ReplayRead]:
    ids = body.ids or service.open_ids(uow, code=body.code)
    out = [ReplayRead(**asdict(r)) for r in service.replay_many(uow, ids)]
    uow.commit()
    return out

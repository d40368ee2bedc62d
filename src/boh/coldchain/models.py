"""Tables owned by the cold-chain domain (prefix ``coldchain_``).

Readings are a fact table written in bulk: the value is an integer in hundredths (°C, % humidity; a door
is 100 open / 0 closed), exactly-once by (tenant, reading_id). Excursions are derived from the readings by
the detector (``domain.py``) and reconciled with what was found before (``service/detect.py``), so a
redelivered or late reading never raises a second alert. A lot's exposure to an excursion carries the
minutes above the limit and the decision taken about the lot.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from boh.kernel.clock import utcnow
from boh.kernel.db import Base, BigId, IdMixin, TimestampMixin
from boh.kernel.types import ExactDecimal, UTCDateTime

Temp = ExactDecimal(8, 2)


class Unit(IdMixin, TimestampMixin, Base):
    """A fridge, freezer, hot-holding unit or vehicle of a site, with its limits (defaults by kind)."""

    __tablename__ = "coldchain_unit"
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "code"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # fridge | freezer | hot_holding | vehicle
    storage_class: Mapped[str] = mapped_column(String(10))  # chilled | frozen | hot: the lots it holds by default
    is_default: Mapped[bool] = mapped_column(Boolean, default=True)  # the site's unit for its storage class
    limit_c: Mapped[Decimal] = mapped_column(Temp)  # chilled <= 5, frozen <= -18, hot holding >= 57
    direction: Mapped[str] = mapped_column(String(3))  # max: above the limit is bad | min: below is bad
    hysteresis_c: Mapped[Decimal] = mapped_column(Temp, default=Decimal(1))
    min_duration_s: Mapped[int] = mapped_column(Integer, default=900)
    door_grace_s: Mapped[int] = mapped_column(Integer, default=600)  # recovery after a door closes
    door_max_s: Mapped[int] = mapped_column(Integer, default=600)  # longer is not a "short" opening
    dropout_s: Mapped[int] = mapped_column(Integer, default=900)
    reading_gap_s: Mapped[int] = mapped_column(Integer, default=90)  # consecutive readings: at most this apart
    tt_limit_min: Mapped[int] = mapped_column(Integer, default=120)  # a lot's minutes beyond the limit
    # daily defrost windows in the site's local time: [{"start": "HH:MM", "minutes": 30}]
    defrost: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    defrost_recovery_s: Mapped[int] = mapped_column(Integer, default=1200)
    # relative humidity limits in % (None: no such limit), judged like the temperature: same minimum
    # duration, door and defrost suppression, with their own hysteresis
    humidity_min_pct: Mapped[Decimal | None] = mapped_column(Temp)
    humidity_max_pct: Mapped[Decimal | None] = mapped_column(Temp)
    humidity_hysteresis_pct: Mapped[Decimal] = mapped_column(Temp, default=Decimal(2), server_default="2")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sensor(IdMixin, TimestampMixin, Base):
    __tablename__ = "coldchain_sensor"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("coldchain_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(80))  # the device's id, as in its readings
    kind: Mapped[str] = mapped_column(String(12))  # temperature | humidity | door
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its latest reading
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Reading(Base):
    __tablename__ = "coldchain_reading"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reading_id"),
        Index("ix_coldchain_reading_unit_at", "unit_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(BigId)  # no FKs on this fact table (bulk inserts); see sensor
    unit_id: Mapped[int] = mapped_column(BigId)
    sensor_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(12))
    reading_id: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[int] = mapped_column(Integer)  # hundredths


class Excursion(IdMixin, TimestampMixin, Base):
    """A temperature or humidity excursion that alarmed (kind ``temperature`` / ``humidity``) or a gap in a
    unit's readings (``dropout``). One row per excursion: its alert was raised when the row was made. For a
    humidity excursion ``peak_c`` holds the peak relative humidity in % (its lots are not flagged: the
    time-temperature rule is about temperature)."""

    __tablename__ = "coldchain_excursion"
    __table_args__ = (Index("ix_coldchain_excursion_unit", "tenant_id", "unit_id", "started_at"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("coldchain_unit.id"))
    kind: Mapped[str] = mapped_column(String(12))  # temperature | humidity | dropout
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alarmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the minimum duration was reached
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: still going on
    peak_c: Mapped[Decimal | None] = mapped_column(Temp)
    minutes_beyond: Mapped[int] = mapped_column(Integer, default=0)  # minutes beyond the limit
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | reviewed
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LotPlacement(IdMixin, TimestampMixin, Base):
    """A lot placed in a given unit (overrides the default: the site's unit for the item's storage class)."""

    __tablename__ = "coldchain_lot_placement"
    __table_args__ = (UniqueConstraint("tenant_id", "site_id", "lot_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    lot_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[int] = mapped_column(ForeignKey("coldchain_unit.id"))


class Exposure(IdMixin, TimestampMixin, Base):
    """A lot stored in the unit during an excursion: flagged, quarantined (its cumulative minutes beyond the
    limit reached the unit's time-temperature limit), then released (with a reason) or wasted."""

    __tablename__ = "coldchain_exposure"
    __table_args__ = (
        UniqueConstraint("excursion_id", "lot_id"),
        Index("ix_coldchain_exposure_lot", "tenant_id", "lot_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("org_site.id"))
    excursion_id: Mapped[int] = mapped_column(ForeignKey("coldchain_excursion.id"))
    lot_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(BigInteger)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="flagged")  # flagged|quarantined|released|wasted
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class Record(IdMixin, Base):
    """The HACCP log's entries written by people: a corrective action or a day's sign-off of a unit."""

    __tablename__ = "coldchain_record"
    __table_args__ = (Index("ix_coldchain_record_unit_day", "tenant_id", "unit_id", "day"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("coldchain_unit.id"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # corrective | signoff
    excursion_id: Mapped[int | None] = mapped_column(ForeignKey("coldchain_excursion.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(120))
    by_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeadLetter(IdMixin, Base):
    """A reading rejected for its own content (HTTP or MQTT), kept with its reason. Once the cause is fixed
    (the sensor registered, the reading corrected) it is replayed: ``replayed`` when its readings went in (or
    were in already: exactly-once by reading_id), else it stays ``open`` with the new reason."""

    __tablename__ = "coldchain_dead_letter"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("org_tenant.id"), index=True)
    transport: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str | None] = mapped_column(String(200))
    reading_id: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")  # open | replayed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # replays tried
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replayed_by: Mapped[str | None] = mapped_column(String(120))

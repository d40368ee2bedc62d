"""Input and output models of the lot-hold API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Source = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Ref = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._:/-]+$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HoldIn(_In):
    lot_ids: list[int] = Field(min_length=1, max_length=1000, description="Lots to hold (all or none)")
    reason: str = Field(min_length=1, max_length=500)
    source: Source = Field(default="manual", description="Why, as a code: manual, quarantine, inspection ...")
    source_ref: Ref | None = Field(
        default=None,
        description="Your reference (a case number). Holding again with the same source and reference holds "
        "nothing twice: a retried request is harmless.",
    )


class ReleaseIn(_In):
    reason: str = Field(min_length=1, max_length=500)
    source: Source | None = Field(default=None, description="Only the holds of this source (none: all but recall's)")
    source_ref: Ref | None = None


class HoldRead(BaseModel):
    id: int
    lot_id: int
    lot_code: str
    item_id: int
    sku: str
    reason: str
    source: str
    source_ref: str | None
    held_by: str
    held_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


class HoldsPlaced(BaseModel):
    holds: list[HoldRead] = Field(description="The open holds of this source and reference, by lot")


class LotReleased(BaseModel):
    lot_id: int
    on_hold: bool = Field(description="Still on hold (holds of other sources remain open)")
    released: list[HoldRead] = Field(description="The holds this request closed (empty on a retry)")
    still_open: list[HoldRead]

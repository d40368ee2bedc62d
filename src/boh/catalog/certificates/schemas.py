"""Input and output models of supplier certificates and certificate requirements."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boh.kernel.patch import PatchModel

CertType = Literal["food_safety", "organic", "halal", "business_licence", "food_licence", "other"]
ReceiptAction = Literal["block", "quarantine"]
CertStatus = Literal["active", "revoked"]
CertState = Literal["valid", "expiring", "expired", "not_yet_valid", "revoked"]
Number = Annotated[str, Field(min_length=1, max_length=80, description="The certificate's number as printed")]
Issuer = Annotated[str, Field(min_length=1, max_length=200, description="Who issued it (body or authority)")]
ScopeNote = Annotated[str, Field(max_length=500, description="What it covers (products, sites, standard)")]


def _check_dates(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")


class CertificateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    type: CertType
    number: Number
    issuer: Issuer
    valid_from: date = Field(description="First valid day")
    valid_to: date = Field(description="Last valid day (included)")
    scope_note: ScopeNote | None = None

    @model_validator(mode="after")
    def _dates(self) -> CertificateCreate:
        _check_dates(self.valid_from, self.valid_to)
        return self


class CertificateUpdate(PatchModel):
    nullable = frozenset({"scope_note"})

    number: Number | None = None
    issuer: Issuer | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    scope_note: ScopeNote | None = None
    status: CertStatus | None = Field(default=None, description="revoked: withdrawn, no longer counts")


class CertificateRead(BaseModel):
    id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    supplier_name_zh: str | None
    type: CertType
    number: str
    issuer: str
    valid_from: date
    valid_to: date
    scope_note: str | None
    status: CertStatus
    state: CertState = Field(description="On the reference date: valid, expiring (within 30 days), expired ...")
    days_left: int = Field(description="Days to the last valid day (0: today is the last; negative: expired)")
    document_name: str | None
    document_url: str | None = Field(description="Where to download the uploaded document, if any")


class RequirementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    type: CertType
    action: ReceiptAction = Field(description="What a receipt gets when the certificate is expired or missing")
    supplier_id: int | None = Field(default=None, description="Only this supplier (none: every supplier)")
    category_id: int | None = Field(
        default=None, description="Only deliveries with items of this category or its sub-categories"
    )
    note: str | None = Field(default=None, max_length=300)
    active: bool = True


class RequirementUpdate(PatchModel):
    nullable = frozenset({"note"})

    action: ReceiptAction | None = None
    note: str | None = Field(default=None, max_length=300)
    active: bool | None = None


class RequirementRead(BaseModel):
    id: int
    type: CertType
    action: ReceiptAction
    supplier_id: int | None
    supplier_code: str | None
    category_id: int | None
    category_code: str | None
    note: str | None
    active: bool


class VerdictRead(BaseModel):
    action: Literal["ok", "block", "quarantine"]
    reasons: list[str]

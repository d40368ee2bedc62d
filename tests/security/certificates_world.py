"""Creators of the security walk for supplier certificates (catalog): a certificate and a requirement of
tenant A, each carrying the marker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _certificate(w: Any) -> int:
    body = {"type": "organic", "number": "ALPHA-ORG-1", "issuer": "Alpha Certifiers", "valid_from": "2026-01-01",
            "valid_to": "2030-12-31", "scope_note": "alpha vegetables"}  # fmt: skip
    cert: int = w.api("POST", f"/api/v1/catalog/suppliers/{w.get('supplier_id')}/certificates", body)["id"]
    return cert


def _requirement(w: Any) -> int:
    body = {"type": "organic", "action": "block", "supplier_id": w.get("supplier_id"), "note": "alpha organic rule"}
    req: int = w.api("POST", "/api/v1/catalog/certificate-requirements", body)["id"]
    return req


CREATORS: dict[str, Callable[[Any], Any]] = {"cert_id": _certificate, "req_id": _requirement}

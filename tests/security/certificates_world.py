"""The security walk's world for supplier certificates (catalog) and lot holds (inventory): a certificate
expiring soon with its document and a requirement of tenant A (creators), and a held lot (``seed``), each
carrying the marker so that lists have tenant A's data to hide from tenant B."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from boh.kernel.clock import utcnow

PDF = b"%PDF-1.4\n%%EOF\n"


def _certificate(w: Any) -> int:
    today = utcnow().date()
    body = {"type": "organic", "number": "ALPHA-ORG-1", "issuer": "Alpha Certifiers",
            "valid_from": str(today - timedelta(days=300)), "valid_to": str(today + timedelta(days=10)),
            "scope_note": "alpha vegetables"}  # fmt: skip
    cert: int = w.api("POST", f"/api/v1/catalog/suppliers/{w.get('supplier_id')}/certificates", body)["id"]
    r = w.client.put(f"/api/v1/catalog/certificates/{cert}/document", headers=w.admin_a,
                     files={"file": ("alpha.pdf", PDF, "application/pdf")})  # fmt: skip
    assert r.status_code == 200, f"world set-up: certificate document -> {r.status_code} {r.text}"
    return cert


def _requirement(w: Any) -> int:
    body = {"type": "organic", "action": "block", "supplier_id": w.get("supplier_id"), "note": "alpha organic rule"}
    req: int = w.api("POST", "/api/v1/catalog/certificate-requirements", body)["id"]
    return req


def seed(w: Any) -> None:
    """A lot of tenant A on hold (its own lot: the walk's ``lot_id`` stays usable)."""
    body = {"item_id": w.get("item_id"), "lot_code": "ALPHA-HELD-1", "expiry_date": "2030-01-31"}
    lot = w.api("POST", "/api/v1/inventory/lots", body)["id"]
    w.api("POST", "/api/v1/inventory/holds", {"lot_ids": [lot], "reason": "alpha quarantine"})


CREATORS: dict[str, Callable[[Any], Any]] = {"cert_id": _certificate, "req_id": _requirement}

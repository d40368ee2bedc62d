"""Factories of the inspection tests: a template definition covering every item kind, templates published
through the API, and stores with coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from boh.inspections.definition import Definition
from tests.factories import TenantRef, login, make_site, make_tenant, make_user

SHANGHAI = (Decimal("31.230400"), Decimal("121.473700"))


def definition_dict(pass_score: str = "80") -> dict[str, Any]:
    """Food safety: every item kind, a critical food-safety chiller reading and a conditional follow-up."""
    return {
        "pass_score": pass_score,
        "sections": [
            {
                "key": "cold",
                "title": "Cold chain",
                "title_zh": "冷链",
                "items": [
                    {"key": "chiller", "kind": "temperature", "text": "Chiller temperature", "text_zh": "冷藏温度",
                     "min": "0", "max": "5", "unit": "°C", "weight": "3", "critical": True, "food_safety": True,
                     "guidance": "Read the probe in the middle shelf"},
                    {"key": "chiller_fix", "kind": "text", "text": "What was done about the chiller?",
                     "show_if": {"item": "chiller", "failed": True}},
                    {"key": "clean", "kind": "yes_no", "text": "Chiller clean", "weight": "2", "severity": "low"},
                ],
            },
            {
                "key": "floor",
                "title": "Sales floor",
                "items": [
                    {"key": "display", "kind": "scale", "text": "Display standard", "scale_max": 5,
                     "pass_min": "3", "weight": "2"},
                    {"key": "price_tags", "kind": "number", "text": "Missing price tags", "min": "0", "max": "2"},
                    {"key": "floor_state", "kind": "choice", "text": "Floor", "options": [
                        {"key": "good", "label": "Clean", "points": "2"},
                        {"key": "fair", "label": "Acceptable", "points": "1"},
                        {"key": "bad", "label": "Dirty", "points": "0", "fails": True}]},
                    {"key": "shelf_photo", "kind": "photo", "text": "Photo of the promotion shelf"},
                    {"key": "remarks", "kind": "text", "text": "Remarks", "required": False},
                    {"key": "signature", "kind": "signature", "text": "Store manager's signature"},
                ],
            },
        ],
    }  # fmt: skip


def definition() -> Definition:
    return Definition.model_validate(definition_dict())


def create_template(
    client: TestClient, headers: dict[str, str], code: str = "FS", *, publish: bool = True, **extra: Any
) -> dict[str, Any]:
    body = {"code": code, "name": f"Food safety {code}", "name_zh": "食品安全", "definition": definition_dict()}
    body |= extra
    r = client.post("/api/v1/inspections/templates", json=body, headers=headers)
    assert r.status_code == 201, r.text
    if publish:
        r = client.post(f"/api/v1/inspections/templates/{r.json()['id']}/publish", headers=headers)
        assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def make_store(
    rt: Runtime, tenant: TenantRef, code: str, lat: Decimal = SHANGHAI[0], lon: Decimal = SHANGHAI[1], **extra: Any
) -> int:
    return make_site(rt, tenant, code, latitude=lat, longitude=lon, format=extra.pop("format", "supermarket"), **extra)


def jpeg(taken: str | None = "2026:03:02 09:15:00", offset: str | None = "+08:00", size: tuple[int, int] = (640, 480),
         color: str = "red") -> bytes:  # fmt: skip
    """A real JPEG, with EXIF DateTimeOriginal (and its offset) when given."""
    import io

    from PIL import Image

    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = taken
        if offset:
            sub[0x9011] = offset
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@dataclass
class Shop:
    tenant: TenantRef
    site: int
    admin: dict[str, str]
    inspector: dict[str, str]
    inspector_id: int
    manager: dict[str, str]
    manager_id: int
    template: dict[str, Any]


def shop(rt: Runtime, client: TestClient) -> Shop:
    """A tenant with one store in Shanghai, an HQ admin, an inspector, the store's manager and a published
    food-safety template."""
    t = make_tenant(rt)
    site = make_store(rt, t, "S001")
    make_user(rt, t, "hqadmin", [("hq_admin", None)])
    inspector_id = make_user(rt, t, "inspector1", [("inspector", None)], email="insp@example.com")
    manager_id = make_user(rt, t, "manager1", [("store_manager", "S001")], email="sm@example.com")
    admin = login(client, "hqadmin")
    tpl = create_template(client, admin)
    return Shop(t, site, admin, login(client, "inspector1"), inspector_id, login(client, "manager1"), manager_id, tpl)

"""Schemathesis hooks for scripts/fuzz_api.sh: most generated path ids are replaced by ids that exist in the
demo chain, so that fuzzing reaches each operation's own logic instead of stopping at 404."""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis

_LISTS = {  # path parameter -> list endpoints whose items carry such ids
    "site_id": ["/org/sites"],
    "user_id": ["/org/users"],
    "key_id": ["/org/api-keys"],
    "item_id": ["/catalog/items"],
    "category_id": ["/catalog/categories"],
    "supplier_id": ["/catalog/suppliers"],
    "supplier_item_id": ["/catalog/supplier-items"],
    "count_id": ["/inventory/counts"],
    "reservation_id": ["/inventory/reservations"],
    "incoming_id": ["/inventory/incoming"],
    "lot_id": ["/inventory/lots"],
    "alert_id": ["/inventory/alerts"],
}


def _ids() -> dict[str, list[int]]:
    base = os.environ["BOH_FUZZ_BASE"] + "/api/v1"
    headers = {"Authorization": f"Bearer {os.environ['BOH_FUZZ_TOKEN']}"}
    found: dict[str, list[int]] = {}
    with httpx.Client(headers=headers, timeout=30) as http:
        for param, urls in _LISTS.items():
            for url in urls:
                r = http.get(base + url, params={"limit": 50})
                if r.status_code == 200:
                    body = r.json()
                    rows = body.get("items", body) if isinstance(body, dict) else body
                    found.setdefault(param, []).extend(int(x["id"]) for x in rows if isinstance(x, dict) and "id" in x)
        me = int(http.get(base + "/auth/me").json()["id"])
    # the fuzzer's own user is never a target: deactivating it, changing its password or roles would end the
    # fuzzer's session (finding 9: those end every session at once) and leave every later request a 401
    found["user_id"] = [i for i in found.get("user_id", []) if i != me]
    return {k: v for k, v in found.items() if v}, me


IDS, ME = _ids()


@schemathesis.hook
def map_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    for name, value in list((path_parameters or {}).items()):
        pool = IDS.get(name)
        if pool and isinstance(value, int) and (value % 5 or (name == "user_id" and value == ME)):
            path_parameters[name] = pool[value % len(pool)]  # type: ignore[index]  # one in five keeps its id
    return path_parameters

"""The walks' "nothing written" check is a write log kept by triggers: prove that it sees every kind of write
and nothing else, on both databases, or a refusal that writes would pass the walks unseen."""

from __future__ import annotations

from sqlalchemy import text

from tests.security.world import World, write_mark, writes_since


def test_the_write_log_sees_inserts_updates_and_deletes_only(world: World) -> None:
    rt = world.rt
    mark = write_mark(rt)
    r = world.client.get("/api/v1/org/sites", headers=world.admin_a)
    assert r.status_code == 200
    assert writes_since(rt, mark) == []  # a read writes nothing

    created = world.api("POST", "/api/v1/catalog/categories", {"code": "ALPHA-LOG", "name_en": "Alpha Log"})
    table = "catalog_category"
    assert table in writes_since(rt, mark)  # with its audit record and outbox event

    after_insert = write_mark(rt)
    with rt.engine.begin() as conn:
        conn.execute(text(f'UPDATE "{table}" SET name_en = name_en WHERE id = :i'), {"i": created["id"]})
    assert writes_since(rt, after_insert) == []  # an UPDATE to the same values changes nothing

    with rt.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET name_en = 'Alpha Log 2' WHERE id = :i"), {"i": created["id"]})
    assert writes_since(rt, after_insert) == [table]

    after_update = write_mark(rt)
    with rt.engine.begin() as conn:
        conn.execute(text(f'DELETE FROM "{table}" WHERE id = :i'), {"i": created["id"]})
    assert writes_since(rt, after_update) == [table]

    rolled_back = write_mark(rt)
    with rt.engine.connect() as conn:
        conn.execute(text(f"UPDATE {table} SET name_en = 'never' WHERE id = :i"), {"i": world.get("category_id")})
        conn.rollback()
    assert writes_since(rt, rolled_back) == []  # what was rolled back was not written

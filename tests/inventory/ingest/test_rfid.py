"""RFID semantics: presence, shrink at the exit, sales marking tags, zone sessions (cycle counts)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from sqlalchemy import select

from boh.bootstrap import Runtime
from boh.inventory.ingest import pgbulk, rfid, service
from boh.inventory.ingest.errors import SessionNotFound
from boh.inventory.ingest.models import Alert, RfidSession, RfidSessionRead, RfidTag
from boh.kernel.audit import AuditRecord
from boh.kernel.outbox import OutboxRecord
from tests.inventory.ingest.helpers import Floor, epc_for, gtin_for, ingest, make_floor, move_count, read, receive, sale


@pytest.fixture
def f(runtime: Runtime) -> Floor:
    f = make_floor(runtime)
    receive(runtime, f, f.sh01, f.milk, "10")
    return f


MILK = gtin_for(1)


def _tags(rt: Runtime) -> dict[str, tuple[str, str]]:
    with rt.session_factory() as s:
        return {t.epc: (t.status, t.last_zone) for t in s.scalars(select(RfidTag))}


def _alerts(rt: Runtime) -> list[tuple[str, str | None, bool]]:
    with rt.session_factory() as s:
        return [(a.kind, a.epc, a.is_open) for a in s.scalars(select(Alert).order_by(Alert.id))]


def _at(minute: int) -> str:
    return f"2026-11-25T09:{minute:02d}:00+08:00"


def test_repeated_reads_of_a_tag_are_one_presence_and_move_no_stock(runtime: Runtime, f: Floor) -> None:
    tag = epc_for(MILK, 1)
    result = ingest(runtime, f, [read(f"r{i}", tag, "floor", _at(i)) for i in range(5)])
    assert result.accepted == 5
    more = ingest(runtime, f, [read("r9", tag.lower(), "floor", _at(9))])
    assert more.accepted == 1
    assert _tags(runtime) == {tag: ("present", "floor")}
    assert move_count(runtime) == 1  # only the receipt
    with runtime.session_factory() as s:
        assert s.scalars(select(RfidTag.last_seen_at)).one().isoformat() == "2026-11-25T01:09:00+00:00"


def test_exit_without_a_sale_raises_a_shrink_alert(runtime: Runtime, f: Floor) -> None:
    tag = epc_for(MILK, 2)
    ingest(runtime, f, [read("r1", tag, "floor", _at(1))])
    ingest(runtime, f, [read("r2", tag, "exit", _at(5))])
    assert _alerts(runtime) == [("shrink", tag, True)]
    assert _tags(runtime) == {tag: ("left", "exit")}
    with runtime.session_factory() as s:
        assert "inventory.shrink_suspected" in set(s.scalars(select(OutboxRecord.topic)))
    ingest(runtime, f, [read("r2", tag, "exit", _at(5))])  # the retried read raises nothing twice
    assert len(_alerts(runtime)) == 1


def test_each_shrink_event_and_the_batch_audit_name_their_own_alert(runtime: Runtime, f: Floor) -> None:
    """Several shrinks in one batch: each ShrinkSuspected event carries the id of the alert of its own tag, and
    the batch's audit record lists the alerts raised."""
    tags = [epc_for(MILK, n) for n in (21, 22, 23)]
    ingest(runtime, f, [read(f"in{n}", tag, "floor", _at(1)) for n, tag in enumerate(tags)])
    ingest(runtime, f, [read(f"out{n}", tag, "exit", _at(10 - n)) for n, tag in enumerate(tags)])
    with runtime.session_factory() as s:
        alerts = {a.id: a.epc for a in s.scalars(select(Alert))}
        published = [
            json.loads(r.payload)
            for r in s.scalars(select(OutboxRecord).where(OutboxRecord.topic == "inventory.shrink_suspected"))
        ]
        audit = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "inventory.events.ingest").order_by(AuditRecord.seq)
        ).all()[-1]
    assert sorted(alerts.values()) == sorted(tags)
    assert {e["alert_id"]: e["epc"] for e in published} == alerts
    assert sorted(json.loads(audit.after or "{}")["shrink_alert_ids"]) == sorted(alerts)


def test_exit_after_a_sale_raises_nothing(runtime: Runtime, f: Floor) -> None:
    tag = epc_for(MILK, 3)
    ingest(runtime, f, [read("r1", tag, "floor", _at(1))])
    ingest(runtime, f, [sale("s1", occurred_at=_at(3))])
    assert _tags(runtime) == {tag: ("sold", "floor")}
    ingest(runtime, f, [read("r2", tag, "exit", _at(4))])
    assert _alerts(runtime) == []
    assert _tags(runtime) == {tag: ("left", "exit")}


def test_a_sale_attributed_to_another_tag_of_the_item_still_matches_the_exit(runtime: Runtime, f: Floor) -> None:
    seen_first, seen_last = epc_for(MILK, 10), epc_for(MILK, 11)
    ingest(runtime, f, [read("a", seen_first, "floor", _at(1)), read("b", seen_last, "floor", _at(2))])
    # the sale marks the most recently seen tag, but the other one walks out: still a sale, no alert
    ingest(runtime, f, [sale("s1", occurred_at=_at(3)), read("x", seen_first, "exit", _at(4))])
    assert _alerts(runtime) == []
    assert _tags(runtime) == {seen_first: ("left", "exit"), seen_last: ("present", "floor")}
    ingest(runtime, f, [read("y", seen_last, "exit", _at(6))])  # and now the second one leaves unpaid
    assert _alerts(runtime) == [("shrink", seen_last, True)]


def test_an_unpaid_exit_takes_back_the_least_recently_seen_of_the_tags_one_sale_marked(
    runtime: Runtime, f: Floor
) -> None:
    """Tags marked sold by the same sale share their sale time: the exit of an unsold tag takes the sale from
    the one seen first (then by EPC), whichever order the database stored or indexed them in."""
    first, second, third = (epc_for(MILK, n) for n in (40, 41, 42))
    ingest(runtime, f, [read(f"r{n}", t, "floor", _at(n)) for n, t in enumerate((first, second, third), 1)])
    ingest(runtime, f, [sale("s2", qty="2", occurred_at=_at(10))])  # marks third, then second
    assert [_tags(runtime)[t][0] for t in (first, second, third)] == ["present", "sold", "sold"]
    ingest(runtime, f, [read("x", first, "exit", _at(12))])  # the unsold one leaves: paid by that sale
    assert _alerts(runtime) == []
    assert _tags(runtime) == {first: ("left", "exit"), second: ("present", "floor"), third: ("sold", "floor")}


def test_closing_a_zone_session_reports_missing_and_unexpected_tags(runtime: Runtime, f: Floor) -> None:
    a, b, c, d = (epc_for(MILK, n) for n in (21, 22, 23, 24))
    ingest(
        runtime, f, [read("1", a, "backroom", _at(1)), read("2", b, "backroom", _at(1)), read("3", c, "floor", _at(1))]
    )
    session = [
        read("s1", a, "backroom", _at(10), session_id="cc-1"),
        read("s2", c, "backroom", _at(11), session_id="cc-1"),
        read("s3", d, "backroom", _at(12), session_id="cc-1"),
        read("s4", a, "backroom", _at(13), session_id="cc-1"),
    ]
    assert ingest(runtime, f, session).accepted == 4
    with runtime.system_uow(f.tenant.id) as uow:
        report = service.close_session(uow, "cc-1")
        uow.commit()
    assert (report.expected, report.seen) == (2, 3)
    assert [(t.epc, t.item_id) for t in report.missing] == [(b, f.milk)]
    assert sorted(t.epc for t in report.unexpected) == sorted([c, d])
    assert _tags(runtime)[b] == ("missing", "backroom")
    with runtime.system_uow(f.tenant.id) as uow:
        again = service.close_session(uow, "cc-1")  # closing twice returns the stored report
        uow.commit()
        assert again == report
        stored = uow.session.scalars(select(RfidSession)).one()
        assert (stored.status, stored.report is not None) == ("closed", True)
    with runtime.system_uow(f.tenant.id) as uow, pytest.raises(SessionNotFound):
        service.close_session(uow, "nope")


def test_a_late_sale_settles_the_shrink_alert_of_its_exit(runtime: Runtime, f: Floor) -> None:
    tag, other = epc_for(MILK, 31), epc_for(MILK, 32)
    ingest(runtime, f, [read("r1", tag, "floor", _at(1)), read("r2", other, "floor", _at(1))])
    ingest(runtime, f, [read("x1", tag, "exit", _at(20)), read("x2", other, "exit", _at(22))])  # RFID feed first
    assert _alerts(runtime) == [("shrink", tag, True), ("shrink", other, True)]
    ingest(runtime, f, [sale("late", occurred_at=_at(18))])  # the POS feed catches up: one unit was paid
    assert _alerts(runtime) == [("shrink", tag, False), ("shrink", other, True)]
    with runtime.session_factory() as s:
        closed = s.scalars(select(Alert).where(Alert.is_open.is_(False))).one()
    assert closed.closed_by == "system:late_sale"
    ingest(runtime, f, [sale("too-early", occurred_at="2026-11-25T08:00:00+08:00")])  # outside the window
    assert [a[2] for a in _alerts(runtime)] == [False, True]


def test_a_sale_marks_the_most_recent_present_tags_even_when_a_read_in_its_batch_takes_one_away(
    runtime: Runtime, f: Floor
) -> None:
    """Only the few most recently seen present tags of a sold item are read from the database (units sold
    plus the batch's reads of the item); a tag leaving in the same batch must not shrink that window."""
    tags = [epc_for(MILK, 20 + n) for n in range(6)]  # seen at minutes 1..6: tags[5] is the most recent
    ingest(runtime, f, [read(f"seen{n}", t, "floor", _at(n + 1)) for n, t in enumerate(tags)])
    ingest(runtime, f, [read("gone", tags[5], "exit", _at(10)), sale("s2", qty="2", occurred_at=_at(11))])
    state = _tags(runtime)
    assert state[tags[5]] == ("left", "exit")
    assert [state[t][0] for t in tags[:5]] == ["present", "present", "present", "sold", "sold"]
    assert _alerts(runtime) == [("shrink", tags[5], True)]
    # the next sale takes the next most recent present tag, never an older one
    ingest(runtime, f, [sale("s3", qty="1", occurred_at=_at(12))])
    assert [_tags(runtime)[t][0] for t in tags[:3]] == ["present", "present", "sold"]


def _minute(m: int) -> str:
    return f"2026-11-25T{9 + m // 60:02d}:{m % 60:02d}:00+08:00"


def _random_batches(rng: random.Random) -> list[list[dict[str, Any]]]:
    """Tags of two items at two sites seen at few distinct minutes (ties in last seen), then batches of
    sales (some fractional) and reads (floor, backroom, exit, sessions, moves between sites) in random
    order and times; and per batch a cheese tag leaving unpaid, paid by a sale in the next batch (late)."""
    epcs = {sku: [epc_for(gtin_for(ref), n) for n in range(1, 13)] for sku, ref in (("MILK", 1), ("SOAP", 3))}
    cheese = [epc_for(gtin_for(2), n) for n in range(1, 13)]
    sites = ("SH01", "SH02")
    n = 0
    first = []
    for tag in [*epcs["MILK"], *epcs["SOAP"], *cheese]:
        n += 1
        first.append(read(f"r{n}", tag, "floor", _minute(rng.randrange(3)), site=rng.choice(sites)))
    batches = [first]
    late: list[dict[str, Any]] = []
    for b in range(12):
        batch, late = late, []
        only_sales = b % 3 == 0  # sales whose keys no read of the batch touches
        for _ in range(rng.randint(4, 14)):
            n += 1
            sku, site, minute = rng.choice(("MILK", "SOAP")), rng.choice(sites), 5 + b * 4 + rng.randrange(40)
            if only_sales or rng.random() < 0.5:
                qty = rng.choice(("1", "1", "2", "3", "0.5"))
                batch.append(sale(f"s{n}", site=site, sku=sku, qty=qty, occurred_at=_minute(minute)))
            else:
                zone = rng.choice(("floor", "backroom", "exit", "exit"))
                extra = {"session_id": f"cc-{b}"} if zone != "exit" and rng.random() < 0.3 else {}
                batch.append(read(f"r{n}", rng.choice(epcs[sku]), zone, _minute(minute), site=site, **extra))
        if not only_sales:
            exit_at = 5 + b * 4 + 20
            batch.append(read(f"x{b}", cheese[b], "exit", _minute(exit_at)))
            late.append(sale(f"late{b}", sku="CHEESE", qty="1", occurred_at=_minute(exit_at - 5)))
        rng.shuffle(batch)
        batches.append(batch)
    return batches


def _floor_state(rt: Runtime, f: Floor) -> tuple[object, ...]:
    code = {f.sh01: "SH01", f.sh02: "SH02", f.sh09: "SH09"}
    with rt.session_factory() as s:
        tags = sorted(
            (t.epc, code[t.site_id], t.last_zone, t.status, t.last_seen_at, t.sold_at)
            for t in s.scalars(select(RfidTag).where(RfidTag.tenant_id == f.tenant.id))
        )
        alerts = sorted(
            (a.epc, code[a.site_id], a.occurred_at, a.is_open, a.closed_by)
            for a in s.scalars(select(Alert).where(Alert.tenant_id == f.tenant.id))
        )
        reads = sorted(
            (r.session_id, r.epc, r.expected)
            for r in s.scalars(select(RfidSessionRead).where(RfidSessionRead.tenant_id == f.tenant.id))
        )
    return tags, alerts, reads


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sales_marked_in_the_database_choose_the_tags_the_rules_choose(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """On PostgreSQL the sales of keys no read of their batch touches mark their tags by one statement; the
    outcome must be exactly the Python rules' (rfid.SQL_MARKS off), tag by tag, alert by alert."""
    marked: list[int] = []
    real = pgbulk.mark_sold

    def counting(conn: Any, tenant_id: int, sales: Any, now: Any) -> None:
        marked.append(len(sales))
        real(conn, tenant_id, sales, now)

    monkeypatch.setattr(pgbulk, "mark_sold", counting)
    states = []
    for sql_marks, tenant in ((True, f"SQL{seed}"), (False, f"PY{seed}")):
        monkeypatch.setattr(rfid, "SQL_MARKS", sql_marks)
        f = make_floor(runtime, tenant)
        for batch in _random_batches(random.Random(seed)):
            result = ingest(runtime, f, batch)
            assert result.rejected == [] and result.accepted == len(batch)
        states.append(_floor_state(runtime, f))
    tags, alerts, _ = states[0]
    # the scenario sold tags, raised shrink alerts and settled some by late sales
    assert any(t[3] == "sold" for t in tags) and any(a[3] for a in alerts)
    assert any(a[4] == "system:late_sale" for a in alerts)
    assert states[0] == states[1]
    if runtime.engine.dialect.name == "postgresql":
        assert sum(marked) > 0  # and some sales went through the database's marking


def test_a_sale_marks_its_tag_sold_at_its_time_to_the_microsecond(runtime: Runtime, f: Floor) -> None:
    """On PostgreSQL a sale no read of its batch touches marks its tag in the database (sale times travel as
    microseconds since the epoch there): the tag's sold_at is the sale's time exactly."""
    tags = [epc_for(MILK, 40 + n) for n in range(2)]
    ingest(runtime, f, [read(f"seen{n}", t, "floor", _at(n + 1)) for n, t in enumerate(tags)])
    ingest(runtime, f, [sale("s-us", qty="1", occurred_at="2026-11-25T09:11:00.123457+08:00")])
    with runtime.session_factory() as s:
        sold = {t.epc: t.sold_at for t in s.scalars(select(RfidTag)) if t.status == "sold"}
    assert {e: at.isoformat() for e, at in sold.items() if at} == {tags[1]: "2026-11-25T01:11:00.123457+00:00"}

"""The transcribed peer cases are well-formed data (the replay through BOH's ledger is separate)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from tests.inventory.ledger.peer_cases import CASES, KINDS, LEAK_CASES, Case, Op

_POSITIVE = {"receipt", "issue", "return_in", "return_out", "transfer"}


def _ids(case: Case) -> str:
    return case.name


def test_cases_exist_and_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 20
    assert len(names) == len(set(names))


def test_leak_cases_point_at_transcribed_cases() -> None:
    names = {case.name for case in CASES}
    assert set(LEAK_CASES.values()) <= names


def test_dataclasses_are_frozen() -> None:
    op = CASES[0].ops[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.qty = Decimal(1)  # type: ignore[misc]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_case_has_source_rule_ops_and_expectations(case: Case) -> None:
    assert "::" in case.source and case.ref and case.peer_rule
    assert case.ops and case.expect


def _check_op(op: Op) -> None:
    assert op.kind in KINDS
    assert isinstance(op.qty, Decimal)
    for number in (op.unit_cost, op.value):
        assert number is None or isinstance(number, Decimal)
    assert isinstance(op.days_ago, int) and op.days_ago >= 0
    if op.kind in _POSITIVE:
        assert op.qty > 0
    if op.kind == "receipt":
        assert op.unit_cost is not None and op.unit_cost >= 0
    if op.kind == "adjust":
        assert op.qty != 0
    if op.kind == "count":
        assert op.qty >= 0
    if op.kind == "revalue":
        assert op.qty == 0 and (op.value is None) != (op.unit_cost is None)
    else:
        assert op.value is None
    if op.kind == "transfer":
        assert op.to_site is not None and op.to_site != op.site
    else:
        assert op.to_site is None


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_ops_are_well_formed(case: Case) -> None:
    for op in case.ops:
        _check_op(op)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expectations_are_well_formed(case: Case) -> None:
    for exp in case.expect:
        assert 0 <= exp.after_op < len(case.ops)
        assert isinstance(exp.qty, Decimal)
        assert exp.value is None or isinstance(exp.value, Decimal)
        assert exp.avg is None or isinstance(exp.avg, Decimal)
        posted = case.ops[: exp.after_op + 1]
        assert exp.site in {op.site for op in posted} | {op.to_site for op in posted}


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_expected_quantities_follow_from_the_ops(case: Case) -> None:
    """Quantities are the peer's own op quantities summed (a count resets): a transcription check."""
    for exp in case.expect:
        on_hand: dict[str, Decimal] = {}
        for op in sorted(enumerate(case.ops[: exp.after_op + 1]), key=lambda p: (-p[1].days_ago, p[0])):
            _apply(on_hand, op[1])
        assert on_hand.get(exp.site, Decimal(0)) == exp.qty, case.name


def _apply(on_hand: dict[str, Decimal], op: Op) -> None:
    here = on_hand.get(op.site, Decimal(0))
    if op.kind in {"receipt", "return_in", "adjust"}:
        on_hand[op.site] = here + op.qty
    elif op.kind in {"issue", "return_out"}:
        on_hand[op.site] = here - op.qty
    elif op.kind == "count":
        on_hand[op.site] = op.qty
    elif op.kind == "transfer":
        assert op.to_site is not None
        on_hand[op.site] = here - op.qty
        on_hand[op.to_site] = on_hand.get(op.to_site, Decimal(0)) + op.qty

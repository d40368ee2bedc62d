"""Pure rules of inspections: definitions, answers, conditions, the score, actions, escalation, geofence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boh.inspections import domain
from boh.inspections.definition import Definition, validate_definition
from boh.inspections.domain import Answer, AnswerError, evaluate, normalize
from tests.inspections.helpers import definition, definition_dict

PERFECT = {
    "chiller": Answer("3"),
    "clean": Answer("yes"),
    "display": Answer("5"),
    "price_tags": Answer("0"),
    "floor_state": Answer("good"),
    "shelf_photo": Answer(None, photos=1),
    "signature": Answer("data:image/png;base64,AAAA"),
}


def test_a_perfect_inspection_scores_100_and_passes() -> None:
    r = evaluate(definition(), PERFECT)
    assert (r.earned, r.possible, r.percent, r.score, r.passed) == (D(10), D(10), D("100.00"), D("100.00"), True)
    assert r.failed == () and r.missing == () and r.critical_failed == ()
    assert r.items["chiller_fix"].outcome == "hidden" and "chiller_fix" not in r.visible
    assert r.items["remarks"].outcome == "info"  # optional text: no points, not missing


def test_partial_points_of_scale_and_choice() -> None:
    r = evaluate(definition(), {**PERFECT, "display": Answer("4"), "floor_state": Answer("fair")})
    # display earns 4/5 of 2, floor 1/2 of 1: 10 - 0.4 - 0.5 = 9.1 of 10
    assert r.earned == D("9.1") and r.percent == D("91.00") and r.passed
    r = evaluate(definition(), {**PERFECT, "display": Answer("2")})  # below pass_min 3: a failure, 0.8 of 2
    assert r.items["display"].outcome == "fail" and r.earned == D("8.8") and r.percent == D("88.00")


def test_a_critical_failure_fails_the_whole_inspection_and_shows_its_follow_up() -> None:
    r = evaluate(definition(), {**PERFECT, "chiller": Answer("7.5")})
    assert r.critical_failed == ("chiller",) and r.score == D(0) and not r.passed
    assert r.percent == D("70.00")  # 7 of 10 without the critical item's 3
    assert r.items["chiller_fix"].outcome == "missing"  # shown now, and required


def test_na_leaves_the_item_out_of_the_score_and_missing_answers_are_listed() -> None:
    r = evaluate(definition(), {**PERFECT, "clean": Answer("na")})
    assert r.possible == D(8) and r.percent == D("100.00")
    r = evaluate(definition(), {"chiller": Answer("2")})
    assert set(r.missing) == {"clean", "display", "price_tags", "floor_state", "shelf_photo", "signature"}


def test_pass_score_threshold() -> None:
    d = Definition.model_validate(definition_dict(pass_score="95"))
    assert not evaluate(d, {**PERFECT, "display": Answer("4"), "floor_state": Answer("fair")}).passed
    assert evaluate(d, PERFECT).passed


def test_equals_condition_and_multiple_choice() -> None:
    d = Definition.model_validate({"sections": [{"key": "s", "title": "S", "items": [
        {"key": "issues", "kind": "choice", "text": "Issues", "multi": True, "options": [
            {"key": "dust", "label": "Dust", "points": "1"}, {"key": "pests", "label": "Pests", "fails": True},
            {"key": "none", "label": "None", "points": "2"}]},
        {"key": "pest_photo", "kind": "photo", "text": "Photo of the pests",
         "show_if": {"item": "issues", "equals": ["pests"]}},
    ]}]})  # fmt: skip
    assert normalize(d.items()[0], ["none", "dust", "dust"]) == ["dust", "none"]
    r = evaluate(d, {"issues": Answer(["dust", "pests"])})
    assert r.items["issues"].outcome == "fail" and r.items["pest_photo"].outcome == "missing"
    r = evaluate(d, {"issues": Answer(["dust", "none"])})
    assert r.items["pest_photo"].outcome == "hidden" and r.percent == D("100.00")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("clean", "maybe", "answer yes, no or na"),
        ("display", "6", "a whole number from 0 to 5"),
        ("display", "2.5", "a whole number from 0 to 5"),
        ("chiller", "warm", "not a number"),
        ("chiller", "NaN", "not a number"),
        ("floor_state", "shiny", "not one of the options"),
        ("floor_state", ["good"], "a list is only an answer to a multiple choice"),
    ],
)
def test_answers_an_item_cannot_take_are_refused(key: str, value: Any, message: str) -> None:
    item = definition().item(key)
    assert item is not None
    with pytest.raises(AnswerError, match=message):
        normalize(item, value)


def test_answers_are_normalized() -> None:
    d = definition()
    assert normalize(d.item("chiller"), " 4,50 ") == "4.5"  # type: ignore[arg-type]
    assert normalize(d.item("display"), "3.0") == "3"  # type: ignore[arg-type]
    assert normalize(d.item("clean"), "") is None  # type: ignore[arg-type]
    assert normalize(d.item("clean"), "na") == "na"  # type: ignore[arg-type]


def test_definition_problems_are_all_reported_at_once() -> None:
    bad = definition_dict()
    items = bad["sections"][1]["items"]
    items[0].pop("scale_max")  # scale without a maximum
    items[1]["min"], items[1]["max"] = "5", "1"  # range upside down
    items[2]["options"] = items[2]["options"][:1]  # a choice with one option
    items[3]["key"] = "clean"  # duplicate of an item of section 1
    items[4]["show_if"] = {"item": "signature", "failed": True}  # a later item
    items[5]["critical"] = True  # a signature cannot fail
    errors = validate_definition(Definition.model_validate(bad))
    found = {(e.loc[-1] if e.loc[-1] != "item" else "show_if", e.code) for e in errors}
    assert found == {
        ("scale_max", "missing"), ("max", "invalid"), ("options", "missing"), ("key", "duplicate"),
        ("show_if", "unknown_reference"), ("critical", "invalid"),
    }  # fmt: skip
    assert validate_definition(definition()) == []


def test_due_dates_by_severity_and_food_safety_escalates_the_severity() -> None:
    d = definition()
    assert domain.action_severity(d.item("chiller")) == "critical"  # type: ignore[arg-type]
    assert domain.action_severity(d.item("clean")) == "low"  # type: ignore[arg-type]
    on = date(2026, 3, 2)
    assert domain.due_date("critical", on) == date(2026, 3, 3)
    assert domain.due_date("low", on) == date(2026, 3, 16)
    assert domain.due_date("high", on, {"high": 5}) == date(2026, 3, 7)
    assert domain.answered_out_of_range(d.item("chiller"), "5.1")  # type: ignore[arg-type]
    assert not domain.answered_out_of_range(d.item("chiller"), "5")  # type: ignore[arg-type]
    assert not domain.answered_out_of_range(d.item("price_tags"), "9")  # type: ignore[arg-type]  # not food safety


def test_escalation_climbs_the_ladder_step_by_step() -> None:
    due = date(2026, 3, 10)
    levels = [domain.escalation_level(due, date(2026, 3, d), step_days=2) for d in (9, 10, 11, 12, 13, 14, 20)]
    assert levels == [0, 0, 1, 1, 2, 2, 2]


def test_geofence() -> None:
    # about 1.1 km between two points 0.01 degrees of latitude apart
    assert round(domain.distance_m(31.23, 121.47, 31.24, 121.47)) == 1112
    assert domain.checkin_verdict(120.0, 10.0, 150, "refuse") == "inside"
    assert domain.checkin_verdict(170.0, 30.0, 150, "refuse") == "inside"  # within its accuracy
    assert domain.checkin_verdict(900.0, 5000.0, 150, "refuse") == "refused"  # accuracy counts up to the radius
    assert domain.checkin_verdict(900.0, 5.0, 150, "flag") == "flagged"
    assert domain.checkin_verdict(None, None, 150, "refuse") == "flagged"  # a store without coordinates


# --- properties ----------------------------------------------------------------------------------------

ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "chiller": st.sampled_from(["-2", "0", "3", "5", "5.5", "12", "na"]),
        "clean": st.sampled_from(["yes", "no", "na"]),
        "display": st.sampled_from(["0", "1", "2", "3", "4", "5", "na"]),
        "price_tags": st.sampled_from(["0", "1", "2", "3", "na"]),
        "floor_state": st.sampled_from(["good", "fair", "bad", "na"]),
        "shelf_photo": st.sampled_from(["photo", "none"]),
        "signature": st.just("data:x"),
        "chiller_fix": st.just("called the technician"),
    },
)


def _answers(raw: dict[str, str]) -> dict[str, Answer]:
    out = {k: Answer(v) for k, v in raw.items() if k != "shelf_photo"}
    if raw.get("shelf_photo") == "photo":
        out["shelf_photo"] = Answer(None, photos=1)
    return out


@settings(max_examples=200, deadline=None)
@given(ANSWERS)
def test_score_properties(raw: dict[str, str]) -> None:
    r = evaluate(definition(), _answers(raw))
    assert D(0) <= r.earned <= r.possible <= D(10)
    if r.percent is not None:
        assert D(0) <= r.percent <= D(100)
    assert (r.score == D(0)) if r.critical_failed else (r.score == r.percent)
    assert r.passed == (not r.critical_failed and (r.percent is None or r.percent >= D(80)))
    # the follow-up shows exactly when the chiller failed
    assert (r.items["chiller_fix"].outcome != "hidden") == (r.items["chiller"].outcome == "fail")
    assert set(r.failed) == {k for k, x in r.items.items() if x.outcome == "fail"}


@settings(max_examples=100, deadline=None)
@given(ANSWERS, st.sampled_from(["clean", "display", "price_tags", "floor_state"]))
def test_answering_na_never_lowers_a_passing_score(raw: dict[str, str], key: str) -> None:
    """Taking an item out of the score (N/A) removes its weight from both sides: a perfect score stays
    perfect, and the earned points never exceed the possible ones."""
    base = evaluate(definition(), {**PERFECT, **_answers(raw)})
    na = evaluate(definition(), {**PERFECT, **_answers(raw), key: Answer("na")})
    assert na.possible <= base.possible
    if base.percent == D(100):
        assert na.percent in (D(100), None)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-80, max_value=80), st.floats(min_value=-170, max_value=170),
       st.floats(min_value=-0.05, max_value=0.05), st.floats(min_value=-0.05, max_value=0.05))  # fmt: skip
def test_distance_is_symmetric_and_zero_on_the_spot(lat: float, lon: float, dlat: float, dlon: float) -> None:
    assert domain.distance_m(lat, lon, lat, lon) == 0
    a = domain.distance_m(lat, lon, lat + dlat, lon + dlon)
    assert a == pytest.approx(domain.distance_m(lat + dlat, lon + dlon, lat, lon))
    assert a <= 111_320 * (abs(dlat) + abs(dlon)) + 1

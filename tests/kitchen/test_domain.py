"""Pure recipe rules: explosion through levels with trim loss and yields, costing and what-if, allergens,
nutrition, depletion to stocked items, cycles."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boh.kitchen import domain
from boh.kitchen.domain import Recipe, RecipeLine
from boh.kitchen.errors import RecipeCycle

# items: 1 tomato (kg), 2 oil (L), 3 pasta (kg), 4 cheese (kg); 10 sauce (kg), 20 dish (portion), 30 meal
SAUCE = Recipe(10, 100, D(2), (RecipeLine(1, D("1.7"), D(15)), RecipeLine(2, D("0.1"))))  # 2 kg from 2 kg tomato
DISH = Recipe(
    20, 200, D(4), (RecipeLine(10, D("0.6")), RecipeLine(3, D("0.4")), RecipeLine(4, D("0.1"))), stocked=False
)
MEAL = Recipe(30, 300, D(1), (RecipeLine(20, D(1)), RecipeLine(4, D("0.02"))), stocked=False)
BOOK = {10: SAUCE, 20: DISH, 30: MEAL}


def test_three_levels_explode_to_bought_items_with_trim_loss() -> None:
    # a meal: 1 dish (1/4 of the dish recipe) + 0.02 cheese; the dish's sauce 0.15 kg -> tomato gross 2 kg per 2 kg
    assert domain.explode(BOOK, 30, D(4)) == {
        1: D("0.600000"),  # 4 meals = 4 dishes = 0.6 sauce; 1.7/0.85 = 2 kg tomato per 2 kg sauce
        2: D("0.030000"),
        3: D("0.400000"),
        4: D("0.180000"),  # 0.1 from the dishes + 0.08 on the meals
    }


def test_levels_list_every_component_with_its_need() -> None:
    needs = domain.explode_levels(BOOK, 30, D(4))
    assert needs[20] == D(4) and needs[10] == D("0.6") and needs[1] == D("0.6")


def test_cost_rolls_up_and_reports_unpriced_leaves() -> None:
    prices = {1: D("3.00"), 2: D("10.00"), 3: D("2.50")}
    c = domain.cost(BOOK, 30, D(4), prices)
    assert c.total == D("3.1000")  # 1.8 + 0.3 + 1.0 + cheese unpriced
    assert c.unit_cost == D("0.7750")
    assert c.unpriced == (4,)


def test_what_if_shows_the_change_of_a_price() -> None:
    w = domain.what_if(BOOK, 30, D(4), {1: D(3), 2: D(10), 3: D("2.5"), 4: D(20)}, {1: D(6)})
    assert (w.before.total, w.after.total, w.delta) == (D("6.7000"), D("8.5000"), D("1.8000"))
    assert w.delta_pct == D("26.87")


def test_allergens_roll_up_from_every_level() -> None:
    assert domain.allergens(BOOK, 30, {3: ("gluten", "eggs"), 4: ("milk",)}) == ["eggs", "gluten", "milk"]
    assert domain.allergens(BOOK, 10, {3: ("gluten",), 4: ("milk",)}) == []


def test_nutrition_sums_net_quantities_and_reports_missing_data() -> None:
    per = {1: {"kcal": D(180)}, 2: {"kcal": D(8000), "fat_g": D(900)}, 3: {"kcal": D(3500)}}
    values, missing = domain.nutrition(BOOK, 20, per)
    # one dish portion: sauce 0.15 kg (tomato net 0.1275, oil 0.0075), pasta 0.1, cheese 0.025
    assert values["kcal"] == D("432.95") and values["fat_g"] == D("6.75")
    assert missing == (4,)


def test_a_sale_depletes_through_made_to_order_levels_down_to_stocked_items() -> None:
    # the dish and the meal are made to order; the sauce is made ahead (stocked): it is what leaves stock
    assert domain.deplete(BOOK, 30, D(-2)) == {10: D("-0.300000"), 3: D("-0.200000"), 4: D("-0.090000")}


def test_a_cycle_is_refused_with_its_path() -> None:
    cyclic = {**BOOK, 10: Recipe(10, 101, D(1), (RecipeLine(1, D(1)), RecipeLine(30, D("0.1"))))}
    with pytest.raises(RecipeCycle) as err:
        domain.explode(cyclic, 30, D(1))
    assert err.value.detail == "recipe cycle: 30 → 20 → 10 → 30"
    assert err.value.extra["cycle"] == [30, 20, 10, 30]


def test_levels_are_low_level_codes() -> None:
    assert domain.levels(BOOK) == {10: 1, 20: 2, 30: 3}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 60)), min_size=1, max_size=5), st.integers(1, 20))
def test_explosion_is_linear_in_the_quantity(lines: list[tuple[int, int]], k: int) -> None:
    r = Recipe(99, 1, D(3), tuple(RecipeLine(n + 1, D(q), D(loss)) for n, (q, loss) in enumerate(lines)))
    book = {99: r, 20: DISH, 10: SAUCE}
    one = domain.explode(book, 99, D(1))
    many = domain.explode(book, 99, D(k))
    for item, q in many.items():
        assert abs(q - one[item] * k) <= D("0.00001") * k

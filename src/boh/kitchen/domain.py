"""Pure rules of recipes (no I/O): bills of materials of several levels exploded to their leaves, with the
trim loss of each line and the yield of each step; allergens (EU 14) and nutrition rolled up; cost rolled up
from leaf unit costs, with a what-if for price changes; cycles refused with the path that closes them.

Quantities are in each item's base unit (the caller converts a line's unit with the catalog's exact unit
table before it gets here). A recipe makes ``yield_qty`` of its output from its lines; a line names the
net quantity used and its trim loss, so the gross quantity taken from stock is ``net / (1 - loss)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from boh.kitchen.errors import RecipeCycle

ZERO = Decimal(0)
ONE = Decimal(1)
QTY_Q = Decimal("0.000001")
MONEY_Q = Decimal("0.0001")
NUTRIENTS = ("kcal", "protein_g", "fat_g", "carbs_g", "salt_g")


@dataclass(frozen=True)
class RecipeLine:
    item_id: int
    quantity: Decimal  # net quantity used, in the component's base unit
    loss_pct: Decimal = ZERO  # trim loss: 0 <= loss < 100

    @property
    def gross(self) -> Decimal:
        """What is taken from stock to have ``quantity`` after trimming."""
        if self.loss_pct <= 0:
            return self.quantity
        return self.quantity * 100 / (100 - self.loss_pct)


@dataclass(frozen=True)
class Recipe:
    """One published version of the recipe of ``item_id``: ``yield_qty`` of it (base unit) from ``lines``."""

    item_id: int
    version_id: int
    yield_qty: Decimal
    lines: tuple[RecipeLine, ...]
    cook_loss_pct: Decimal = ZERO  # weight lost in cooking: informational (the yield already accounts for it)
    station: str | None = None
    minutes_per_batch: int = 0
    batch_size: Decimal = ZERO  # output of one batch (base unit); 0: the yield
    shelf_life_days: int | None = None
    stocked: bool = True  # made ahead and kept in stock; False: made to order (a POS sale goes through it)
    max_batches: int = 20


Book = Mapping[int, Recipe]  # item_id -> its current (or pinned) recipe


def check_cycles(book: Book, start: Iterable[int] | None = None) -> None:
    """Raise RecipeCycle naming the first cycle found (item ids along the path, the first repeated last)."""
    done: set[int] = set()
    path: list[int] = []
    on_path: set[int] = set()

    def visit(item: int) -> None:
        if item in done or item not in book:
            return
        if item in on_path:
            cycle = [*path[path.index(item) :], item]
            raise RecipeCycle("recipe cycle: " + " → ".join(str(i) for i in cycle), cycle=cycle, path=cycle)
        on_path.add(item)
        path.append(item)
        for ln in book[item].lines:
            visit(ln.item_id)
        path.pop()
        on_path.discard(item)
        done.add(item)

    for item in start if start is not None else list(book):
        visit(item)


def explode(book: Book, item_id: int, quantity: Decimal) -> dict[int, Decimal]:
    """Leaf (bought) quantities, gross of trim, that ``quantity`` of ``item_id`` needs through every level.
    An item without a recipe is a leaf (itself)."""
    check_cycles(book, [item_id])
    out: dict[int, Decimal] = {}
    _explode(book, item_id, quantity, out, leaves_only=True)
    return {k: v.quantize(QTY_Q) for k, v in out.items()}


def explode_levels(book: Book, item_id: int, quantity: Decimal) -> dict[int, Decimal]:
    """Every component's gross need (intermediates and leaves), summed over all the paths to it."""
    check_cycles(book, [item_id])
    out: dict[int, Decimal] = {}
    _explode(book, item_id, quantity, out, leaves_only=False)
    return {k: v.quantize(QTY_Q) for k, v in out.items()}


def _explode(book: Book, item_id: int, quantity: Decimal, out: dict[int, Decimal], *, leaves_only: bool) -> None:
    recipe = book.get(item_id)
    if recipe is None:
        if leaves_only:
            out[item_id] = out.get(item_id, ZERO) + quantity
        return
    for ln in recipe.lines:
        need = ln.gross * quantity / recipe.yield_qty
        if not leaves_only:
            out[ln.item_id] = out.get(ln.item_id, ZERO) + need
        _explode(book, ln.item_id, need, out, leaves_only=leaves_only)


def deplete(book: Book, item_id: int, quantity: Decimal) -> dict[int, Decimal]:
    """What selling ``quantity`` of ``item_id`` takes out of stock: through its recipe and every made-to-order
    sub-recipe, down to stocked items (made ahead) or bought ones. Signed like ``quantity``."""
    check_cycles(book, [item_id])
    out: dict[int, Decimal] = {}

    def walk(item: int, qty: Decimal, top: bool) -> None:
        recipe = book.get(item)
        if recipe is None or (recipe.stocked and not top):
            out[item] = out.get(item, ZERO) + qty
            return
        for ln in recipe.lines:
            walk(ln.item_id, ln.gross * qty / recipe.yield_qty, False)

    walk(item_id, quantity, True)
    return {k: v.quantize(QTY_Q) for k, v in out.items()}


def direct_needs(recipe: Recipe, quantity: Decimal) -> dict[int, Decimal]:
    """The first level only: what one batch of ``quantity`` output consumes (gross of trim)."""
    out: dict[int, Decimal] = {}
    for ln in recipe.lines:
        out[ln.item_id] = out.get(ln.item_id, ZERO) + ln.gross * quantity / recipe.yield_qty
    return {k: v.quantize(QTY_Q) for k, v in out.items()}


@dataclass(frozen=True)
class CostLine:
    item_id: int
    quantity: Decimal  # gross, per one base unit of the output... times the asked quantity
    unit_cost: Decimal
    cost: Decimal
    priced: bool  # False: no cost known for this leaf (counted as 0 and reported)


@dataclass(frozen=True)
class Costing:
    item_id: int
    quantity: Decimal
    total: Decimal
    unit_cost: Decimal
    lines: tuple[CostLine, ...]
    unpriced: tuple[int, ...] = field(default=())


def cost(book: Book, item_id: int, quantity: Decimal, prices: Mapping[int, Decimal]) -> Costing:
    """Cost of ``quantity`` of ``item_id`` rolled up from leaf unit costs (``prices``: per base unit; the
    moving averages, or a what-if). Leaves without a price cost 0 and are listed in ``unpriced``."""
    leaves = explode(book, item_id, quantity)
    lines = []
    for leaf, qty in sorted(leaves.items()):
        price = prices.get(leaf)
        value = (qty * (price or ZERO)).quantize(MONEY_Q)
        lines.append(CostLine(leaf, qty, price or ZERO, value, price is not None))
    total = sum((ln.cost for ln in lines), ZERO)
    unit = (total / quantity).quantize(MONEY_Q) if quantity else ZERO
    return Costing(item_id, quantity, total, unit, tuple(lines), tuple(ln.item_id for ln in lines if not ln.priced))


@dataclass(frozen=True)
class WhatIf:
    before: Costing
    after: Costing

    @property
    def delta(self) -> Decimal:
        return self.after.total - self.before.total

    @property
    def delta_pct(self) -> Decimal:
        if not self.before.total:
            return ZERO
        return (self.delta * 100 / self.before.total).quantize(Decimal("0.01"))


def what_if(
    book: Book, item_id: int, quantity: Decimal, prices: Mapping[int, Decimal], changes: Mapping[int, Decimal]
) -> WhatIf:
    """The cost before and after leaf price changes (``changes``: item_id -> new unit cost)."""
    return WhatIf(cost(book, item_id, quantity, prices), cost(book, item_id, quantity, {**prices, **changes}))


def allergens(book: Book, item_id: int, leaf_allergens: Mapping[int, Iterable[str]]) -> list[str]:
    """The EU allergens of every component at every level, sorted."""
    found: set[str] = set(leaf_allergens.get(item_id, ()))
    for comp in explode_levels(book, item_id, ONE):
        found.update(leaf_allergens.get(comp, ()))
    return sorted(found)


def nutrition(
    book: Book, item_id: int, per_unit: Mapping[int, Mapping[str, Decimal]]
) -> tuple[dict[str, Decimal], tuple[int, ...]]:
    """Nutrients in one base unit of ``item_id`` summed from the leaves' values per base unit (net of trim:
    trimmings are not eaten), and the leaves without data. Nutrition is optional: missing data is reported."""
    check_cycles(book, [item_id])
    net: dict[int, Decimal] = {}
    _net_leaves(book, item_id, ONE, net)
    total = dict.fromkeys(NUTRIENTS, ZERO)
    missing = []
    for leaf, qty in sorted(net.items()):
        values = per_unit.get(leaf)
        if values is None:
            missing.append(leaf)
            continue
        for k in NUTRIENTS:
            total[k] += qty * values.get(k, ZERO)
    return {k: v.quantize(Decimal("0.01")) for k, v in total.items()}, tuple(missing)


def _net_leaves(book: Book, item_id: int, quantity: Decimal, out: dict[int, Decimal]) -> None:
    recipe = book.get(item_id)
    if recipe is None:
        out[item_id] = out.get(item_id, ZERO) + quantity
        return
    for ln in recipe.lines:
        _net_leaves(book, ln.item_id, ln.quantity * quantity / recipe.yield_qty, out)


def actual_yield_pct(recipe: Recipe, planned_output: Decimal, actual_output: Decimal) -> Decimal:
    """Actual output as a percentage of the planned output."""
    if not planned_output:
        return ZERO
    return (actual_output * 100 / planned_output).quantize(Decimal("0.01"))


def levels(book: Book) -> dict[int, int]:
    """Low-level code of every item in the book: 0 for leaves, 1 + the deepest component otherwise."""
    check_cycles(book)
    memo: dict[int, int] = {}

    def depth(item: int) -> int:
        if item not in book:
            return 0
        if item not in memo:
            memo[item] = 1 + max((depth(ln.item_id) for ln in book[item].lines), default=0)
        return memo[item]

    return {i: depth(i) for i in book}

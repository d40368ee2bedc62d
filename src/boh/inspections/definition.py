"""A checklist template's definition: sections of items, as one JSON document (pure, no I/O).

The same model is what the console's template builder edits, what the API and the JSON import/export carry,
and what a published version freezes. ``validate_definition`` reports every structural problem at once
(duplicate keys, conditions on unknown or later items, ranges upside down, choices without options).

Item kinds:
  yes_no       yes / no / n.a.; passes on ``pass_value`` (yes by default)
  scale        0..scale_max; earns value/scale_max of its weight; fails below ``pass_min``
  number       a number that passes within [min, max] (either bound optional)
  temperature  a number in °C that passes within [min, max]; food-safety items raise an alert when out
  text         free text, never scored
  choice       one (or with ``multi`` several) of ``options``; each option earns points or fails the item
  photo        passes when at least one photo is attached
  signature    passes when signed (the signature image's data), never scored
``critical``: a failure fails the whole inspection. ``show_if``: shown only when an earlier item failed
(``failed: true``), passed (``failed: false``) or has one of ``equals`` values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boh.kernel.errors import FieldError

ItemKind = Literal["yes_no", "scale", "number", "temperature", "text", "choice", "photo", "signature"]
KINDS: tuple[str, ...] = ("yes_no", "scale", "number", "temperature", "text", "choice", "photo", "signature")
SCORED = frozenset({"yes_no", "scale", "number", "temperature", "choice", "photo"})
Severity = Literal["low", "medium", "high", "critical"]
KEY = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_KEY = re.compile(KEY)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Option(_Model):
    key: str = Field(pattern=KEY, description="Stable key of the option (answers store it)")
    label: str = Field(min_length=1, max_length=200)
    label_zh: str | None = Field(default=None, max_length=200)
    points: Decimal = Field(default=Decimal(0), ge=0, le=1000, decimal_places=2, description="Points it earns")
    fails: bool = Field(default=False, description="Choosing it fails the item")


class Condition(_Model):
    item: str = Field(pattern=KEY, description="Key of an earlier item")
    failed: bool | None = Field(default=None, description="Show when that item failed (true) or passed (false)")
    equals: list[str] | None = Field(default=None, description="Show when that item's answer is one of these")

    @model_validator(mode="after")
    def _one(self) -> Condition:
        if (self.failed is None) == (self.equals is None):
            raise ValueError("give exactly one of failed or equals")
        return self


class Item(_Model):
    key: str = Field(pattern=KEY, description="Stable key, unique in the template (answers and actions use it)")
    kind: ItemKind
    text: str = Field(min_length=1, max_length=500)
    text_zh: str | None = Field(default=None, max_length=500)
    guidance: str | None = Field(default=None, max_length=4000, description="The standard / SOP to check against")
    guidance_zh: str | None = Field(default=None, max_length=4000)
    reference_photos: list[int] = Field(default_factory=list, max_length=10, description="Photo ids of the template")
    weight: Decimal = Field(default=Decimal(1), ge=0, le=1000, decimal_places=2)
    critical: bool = False
    food_safety: bool = Field(default=False, description="A failure raises an immediate food-safety alert")
    severity: Severity = Field(default="medium", description="Sets the due date of the corrective action")
    required: bool = True
    pass_value: Literal["yes", "no"] = "yes"
    scale_max: int | None = Field(default=None, ge=1, le=10)
    pass_min: Decimal | None = Field(default=None, description="scale: the lowest passing value")
    min: Decimal | None = Field(default=None, ge=-1_000_000, le=1_000_000, decimal_places=3)
    max: Decimal | None = Field(default=None, ge=-1_000_000, le=1_000_000, decimal_places=3)
    unit: str | None = Field(default=None, max_length=20)
    options: list[Option] = Field(default_factory=list, max_length=30)
    multi: bool = False
    show_if: Condition | None = None

    def title(self, locale: str) -> str:
        return (self.text_zh or self.text) if locale == "zh_CN" else self.text


class Section(_Model):
    key: str = Field(pattern=KEY)
    title: str = Field(min_length=1, max_length=200)
    title_zh: str | None = Field(default=None, max_length=200)
    items: list[Item] = Field(min_length=1, max_length=200)


class Definition(_Model):
    sections: list[Section] = Field(min_length=1, max_length=50)
    pass_score: Decimal = Field(default=Decimal(80), ge=0, le=100, decimal_places=2, description="Passing percent")

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items() if i.key == key), None)


def _item_errors(item: Item, loc: tuple[str | int, ...], earlier: dict[str, Item]) -> list[FieldError]:
    errors: list[FieldError] = []
    if item.kind == "scale" and item.scale_max is None:
        errors.append(FieldError((*loc, "scale_max"), "a scale item needs scale_max", "missing"))
    if item.kind in ("number", "temperature") and item.min is None and item.max is None:
        errors.append(FieldError((*loc, "min"), "a number or temperature item needs min or max", "missing"))
    if item.min is not None and item.max is not None and item.min > item.max:
        errors.append(FieldError((*loc, "max"), "max is below min"))
    if item.kind == "choice" and len(item.options) < 2:
        errors.append(FieldError((*loc, "options"), "a choice item needs at least two options", "missing"))
    if item.kind == "choice" and len({o.key for o in item.options}) != len(item.options):
        errors.append(FieldError((*loc, "options"), "option keys must be unique", "duplicate"))
    if item.kind != "choice" and item.options:
        errors.append(FieldError((*loc, "options"), "only choice items have options"))
    top = item.scale_max
    if item.kind == "scale" and item.pass_min is not None and top is not None and not 0 <= item.pass_min <= top:
        errors.append(FieldError((*loc, "pass_min"), "pass_min must lie within the scale"))
    if item.critical and item.kind not in SCORED:
        errors.append(FieldError((*loc, "critical"), f"a {item.kind} item cannot fail, so it cannot be critical"))
    cond = item.show_if
    if cond is not None:
        target = earlier.get(cond.item)
        if target is None:
            errors.append(
                FieldError((*loc, "show_if", "item"), f"'{cond.item}' is not an earlier item", "unknown_reference")
            )
        elif cond.failed is not None and target.kind not in SCORED:
            errors.append(FieldError((*loc, "show_if", "failed"), f"'{cond.item}' cannot fail ({target.kind})"))
    return errors


def validate_definition(d: Definition, loc: tuple[str | int, ...] = ("definition",)) -> list[FieldError]:
    """Every structural problem of a definition (empty when it is sound)."""
    errors: list[FieldError] = []
    earlier: dict[str, Item] = {}
    section_keys: set[str] = set()
    for si, section in enumerate(d.sections):
        if section.key in section_keys:
            message = f"duplicate section key '{section.key}'"
            errors.append(FieldError((*loc, "sections", si, "key"), message, "duplicate"))
        section_keys.add(section.key)
        for ii, item in enumerate(section.items):
            iloc = (*loc, "sections", si, "items", ii)
            if item.key in earlier:
                errors.append(FieldError((*iloc, "key"), f"duplicate item key '{item.key}'", "duplicate"))
            errors.extend(_item_errors(item, iloc, earlier))
            earlier[item.key] = item
    return errors


def is_key(value: str) -> bool:
    return bool(_KEY.match(value))

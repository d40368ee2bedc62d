"""Partial updates (PATCH bodies): a field left out keeps its value; ``null`` clears a field only where the
record may be without it.

Every field of a patch model is optional so that it can be left out, which pydantic would also let a client
set to ``null``. ``PatchModel`` refuses ``null`` for every field that ``nullable`` does not name, field by
field in the usual 422 report, and its JSON schema says so: those fields are not nullable in OpenAPI."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError


class PatchModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    nullable: ClassVar[frozenset[str]] = frozenset()
    """The fields that ``null`` clears."""

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        # runs only for the fields the body holds: a default is never validated
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("not_nullable", "cannot be null: leave the field out to keep its value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, prop in target.get("properties", {}).items():
            options = prop.get("anyOf")
            if name in cls.nullable or not options:
                continue
            kept = [o for o in options if o.get("type") != "null"]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        return schema

"""Text a database can store and a person can read."""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNSTORABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
UNSTORABLE = _UNSTORABLE  # what unstorable_char finds, for validators that search themselves


def unstorable_char(value: str) -> int | None:
    """The code point of the first NUL, other control character or unpaired UTF-16 surrogate in ``value``
    (JSON allows them; PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate), else None."""
    found = _UNSTORABLE.search(value)
    return None if found is None else ord(found.group())


SEP = "\x1f"  # the ASCII unit separator: never in stored text (see unstorable_char)


def joined(values: Sequence[object]) -> str:
    """Values joined by the unit separator, for ``string_to_array(:param, chr(31))`` in PostgreSQL: one text
    parameter instead of an array, which the driver would dump value by value in Python."""
    out = SEP.join(["" if v is None else str(v) for v in values])  # a list: join would build one anyway
    if out.count(SEP) != max(len(values) - 1, 0):
        raise ValueError("a value holds the unit separator")
    return out


def storable(value: str) -> str:
    """A pydantic ``AfterValidator`` for identifiers and codes: refuses what ``unstorable_char`` finds."""
    code = unstorable_char(value)
    if code is not None:
        raise ValueError(f"contains a control character or an unpaired surrogate (U+{code:04X})")
    return value

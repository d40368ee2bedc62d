"""One page of a list query, with its bounds written into the statement.

The driver (psycopg) prepares a statement that a connection runs five times, and PostgreSQL then reuses one
generic plan for it when that plan does not look costlier than the custom ones. With LIMIT and OFFSET as
parameters the generic plan cannot see the page size, and for a join such as the balance read's seven tables it
looked costlier every time: the server planned the read anew at every request (about 450 us of server CPU, 50 us
with the plan reused). The bounds are therefore rendered as integers (``literal_execute``): one prepared
statement per page size and offset actually asked for, each planned for its own bounds.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Integer, Select, bindparam

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def bound(value: int, name: str) -> Any:
    """A page bound written into the statement's text, not sent as a parameter."""
    return bindparam(f"page_{name}", int(value), type_=Integer(), literal_execute=True)


def page(stmt: S, limit: int, offset: int = 0) -> S:
    """``stmt`` limited to ``limit`` rows from ``offset`` (both validated by the caller's API schema)."""
    return stmt.limit(bound(limit, "limit")).offset(bound(offset, "offset"))

"""The "today" page pattern: what each domain contributes to a person's home page.

A domain offers ``today(uow, principal) -> TodayPart | None`` (registered in web/console.py's
TODAY_SOURCES, next to the navigation): key figures, a to-do list whose every entry links to the screen
that does it, charts (boh.http.charts) and comparison tables. The home page renders each part with the
macros of templates/_today.html, in the order of the sources; a part the principal may not see is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from boh.http.charts import Chart

Tone = Literal["", "good", "warn", "bad"]


@dataclass(frozen=True)
class Figure:
    label: str  # translated
    value: str  # formatted for the reader (money, count, percent)
    href: str = ""
    note: str = ""  # a comparison: "+12% vs last Monday"
    tone: Tone = ""
    testid: str = ""


@dataclass(frozen=True)
class Todo:
    label: str  # translated, e.g. "Deliveries to receive"
    count: int
    href: str
    detail: str = ""  # e.g. the value at stake
    tone: Tone = "warn"
    testid: str = ""


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    sort: Decimal | int | str | None = None  # the value the table sorts by (data-sort), default the text
    href: str = ""
    chart: Chart | None = None  # a sparkline (boh.http.charts.sparkline)


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Cell] = ()


@dataclass(frozen=True)
class Ranking:
    """The worst entries for one figure ("most waste this week: SH03, SH11, SZ02")."""

    title: str
    entries: Sequence[tuple[str, str, str]]  # (label, value, href)


@dataclass(frozen=True)
class TodayPart:
    title: str = ""
    subtitle: str = ""
    figures: Sequence[Figure] = ()
    todos: Sequence[Todo] = ()
    charts: Sequence[Chart] = ()
    tables: Sequence[Table] = ()
    rankings: Sequence[Ranking] = ()
    links: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, href) below the part

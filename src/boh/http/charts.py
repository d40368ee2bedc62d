"""Chart data for the console's one chart macro (templates/_charts.html) and static/charts.js.

A page builds a ``Chart`` (categories on the x axis, one or more series of exact values) in Python, with
its labels already translated, and passes it to ``{{ charts.chart(chart) }}``. The macro writes the data
as a JSON block (``<script type="application/json">``: data, not code, so a strict CSP allows it), a
canvas that charts.js draws with ECharts, and the same data as a table with a CSV download, so nothing is
only in the picture. Values are Decimal in Python and travel as strings; charts.js turns them into
numbers for drawing only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["line", "bar", "stacked", "pie", "spark"]


@dataclass(frozen=True)
class Series:
    name: str  # translated
    values: Sequence[Decimal | None]


@dataclass(frozen=True)
class Band:
    """A shaded area between two series of a line chart, given by their positions in ``Chart.series`` (both
    series stay lines of their own, in the tooltip and the table); ``name`` (translated) labels it."""

    lower: int
    upper: int
    name: str = ""


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: [a-z0-9-]
    title: str  # translated
    categories: Sequence[str]  # x-axis labels (dates, sites, categories), already formatted
    series: Sequence[Series]
    kind: Kind = "line"
    unit: str = ""  # shown after values in tooltips and the table header ("CNY", "kg")
    category_label: str = ""  # the table's first column header (translated), e.g. "Date"
    links: Sequence[str] = field(default_factory=tuple)  # optional link per category (the table's first column)
    band: Band | None = None  # line charts: the area between two of the series is shaded (a prediction interval)

    def payload(self) -> dict[str, Any]:
        """What the JSON block holds (charts.js reads it)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "unit": self.unit,
            "categories": list(self.categories),
            "series": [{"name": s.name, "values": [_text(v) for v in s.values]} for s in self.series],
        }
        if self.band is not None:
            out["band"] = {"lower": self.band.lower, "upper": self.band.upper, "name": self.band.name}
        return out

    def rows(self) -> list[tuple[str, str, list[Decimal | None]]]:
        """(category, link, values per series) for the table."""
        links = list(self.links) or [""] * len(self.categories)
        return [
            (c, links[i], [s.values[i] if i < len(s.values) else None for s in self.series])
            for i, c in enumerate(self.categories)
        ]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def sparkline(id: str, title: str, values: Sequence[Decimal | None]) -> Chart:
    """A tiny line without axes for a table cell (one per row of a comparison table)."""
    return Chart(id=id, title=title, categories=[str(i) for i in range(len(values))], series=[Series(title, values)],
                 kind="spark")  # fmt: skip

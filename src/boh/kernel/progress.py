"""Progress bars for long commands (rich): shown on a terminal, silent when the output is piped or logged."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def steps(total: int, description: str) -> Iterator[Callable[[str], None]]:
    """``with steps(5, "Loading") as step: step("catalog")`` advances a bar of ``total`` steps on stderr when
    it is a terminal; elsewhere ``step`` does nothing."""
    if not sys.stderr.isatty():
        yield lambda _label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        started = False

        def step(label: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"{description}: {label}")

        yield step
        bar.update(task, completed=total)

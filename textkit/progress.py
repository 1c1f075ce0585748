"""Progress bars (rich) for long work; silent in notebooks and tests unless asked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")


def progress(items: Iterable[T], total: int, label: str, enabled: bool = True, min_total: int = 200) -> Iterator[T]:
    """Yield `items`, drawing a bar on stderr when enabled and there is enough work to show."""
    if not enabled or total < min_total:
        yield from items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)

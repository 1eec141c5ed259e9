"""Computing a `FastTable` view (sort and filter): on the loop, or in a thread when big.

A big view is computed from a snapshot of the rows and installed when ready; until then
the old view stays on screen. Rows updated or removed meanwhile are replayed on the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from illvid_tui.widgets.table.render import Column, Predicate, Row, compute_view

if TYPE_CHECKING:
    from textual.worker import WorkType


class ViewOwner(Protocol):
    """What the view computer needs of its table: its rows and a worker to run in."""

    def get_row(self, key: str) -> Row | None: ...

    def run_worker(
        self, work: WorkType[None], *, name: str, group: str, description: str, exclusive: bool
    ) -> object: ...


class ViewComputer:
    """The views a table asked for and the one it shows; they differ while one is computing.

    A newer request supersedes an older one still computing (its result is dropped).
    """

    def __init__(self, table: ViewOwner, install: Callable[[list[str]], None]) -> None:
        """Compute views for `table`; `install(keys)` puts a finished view on screen."""
        self._table = table
        self._install = install
        self._asked = 0
        self._shown = 0
        #: Keys updated or removed while a view is computed in a thread (see `touch`).
        self.touched: dict[str, None] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def pending(self) -> bool:
        """True while a new view is computed in a thread and not yet shown."""
        return self._shown != self._asked

    async def ready(self) -> None:
        """Wait until the last view asked for is shown."""
        while self.pending:
            await self._idle.wait()

    def touch(self, keys: Iterable[str]) -> None:
        """Note rows changed while a view computes, to replay them on its result."""
        if self.pending:
            self.touched.update(dict.fromkeys(keys))

    def request(
        self,
        rows: dict[str, Row],
        predicate: Predicate | None,
        column: Column | None,
        reverse: bool,
        *,
        in_thread: bool,
    ) -> bool:
        """Compute the view of `rows`, in a thread if asked; True if it went to one."""
        self._asked += 1
        generation = self._asked
        if not in_thread:
            keys = compute_view(rows, predicate, column, reverse)
            assert keys is not None  # only a `stale` callback abandons
            self._show(generation, keys)
            return False
        self.touched = {}
        self._idle.clear()
        snapshot = dict(rows)  # C speed; the thread must not see later changes
        # A callable, as `@work` passes: a worker cancelled before it starts then leaves no
        # coroutine never awaited. Typed, or mypy infers the worker's result as Never.
        work: WorkType[None] = partial(
            self._compute, generation, snapshot, predicate, column, reverse
        )
        # exit_on_error (the default): a failing filter or sort key ends in the app's error
        # handler, as it does on the loop (Worker.StateChanged does not bubble: it'd go unseen).
        self._table.run_worker(
            work,
            name="_compute_view",
            group="fast-table.view",
            description="sort and filter the table rows",
            exclusive=True,
        )
        return True

    def release(self) -> None:
        """Nothing will install a pending view (unmount): release whoever waits for it."""
        self._shown = self._asked
        self._idle.set()

    async def _compute(
        self,
        generation: int,
        snapshot: dict[str, Row],
        predicate: Predicate | None,
        column: Column | None,
        reverse: bool,
    ) -> None:
        def stale() -> bool:
            return generation != self._asked

        try:
            keys = await asyncio.to_thread(
                compute_view, snapshot, predicate, column, reverse, stale
            )
            if keys is not None and not stale():
                self._show(generation, self._replay(keys, predicate))
        finally:
            # An error or a cancel (unmount) must not leave `ready` waiting forever.
            if not stale() and self.pending:
                self._shown = generation
                self._idle.set()

    def _replay(self, keys: list[str], predicate: Predicate | None) -> list[str]:
        """Apply updates and removals made while `keys` was computed, as `update_rows` does.

        `predicate` is still the table's filter: a new one would have made this view stale.
        """
        touched, self.touched = self.touched, {}
        if not touched:
            return keys
        get_row = self._table.get_row

        def shown(key: str) -> bool:
            row = get_row(key)
            return row is not None and (predicate is None or predicate(key, row))

        listed = set(keys)
        dropped = {key for key in touched if key in listed and not shown(key)}
        if dropped:
            keys = [key for key in keys if key not in dropped]
        # Rows that now pass the filter but were not in the snapshot's view go to the end.
        keys.extend(key for key in touched if key not in listed and shown(key))
        return keys

    def _show(self, generation: int, keys: list[str]) -> None:
        self._shown = generation
        self._idle.set()
        self._install(keys)

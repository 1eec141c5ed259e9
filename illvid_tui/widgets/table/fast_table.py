"""`FastTable`: a keyed, sortable, filterable table that renders only the lines on screen.

Textual's `DataTable` measures every cell and froze the loop for 2.3 s at 50k rows; this
widget keeps rows in a dict plus a list of visible keys and draws lines on demand (line API).

Sorting and filtering a big table (`BACKGROUND_ROWS` rows or more) would still hold the event
loop for 50-100 ms, so the new view is computed in a thread (`view.py`) and installed when
ready: until then the old view stays on screen (the header already shows the new sort).
`view_ready()` waits for it; `ViewChanged` says it was installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType

import illvid_tui.widgets.table.messages as messages
from illvid_tui.widgets.table.drawing import TableDrawing
from illvid_tui.widgets.table.messages import TableMessage
from illvid_tui.widgets.table.render import Column, Predicate, Row, compute_layout
from illvid_tui.widgets.table.view import ViewComputer

__all__ = ["Column", "FastTable", "Predicate", "TableMessage"]


class FastTable(TableDrawing, can_focus=True):
    """A table over many keyed rows; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First", show=False, id="table.first"),
        Binding("end", "last", "Last", show=False, id="table.last"),
        Binding("space", "toggle_mark", "Mark", show=False, id="table.mark"),
        Binding("enter", "activate", "Open", show=False, id="table.activate"),
    ]

    BACKGROUND_ROWS: ClassVar[int] = 20_000
    """From this many rows, a new sort or filter is computed in a thread (see the module)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fast-table--cursor",
        "fast-table--header",
        "fast-table--marked",
        "fast-table--sorted",
        "fast-table--empty",
    }

    # Colour themes get the usual block cursor; under NO_COLOR (`:nocolor`) colours vanish,
    # so the cursor is reversed and the header underlined to stay legible.
    DEFAULT_CSS = """
    FastTable {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        & > .fast-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .fast-table--sorted { color: $accent; text-style: bold; }
        & > .fast-table--marked { background: $accent 20%; text-style: bold; }
        & > .fast-table--empty { color: $text-muted; text-style: italic; }
        & > .fast-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .fast-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        &:nocolor > .fast-table--cursor { text-style: reverse; }
        &:nocolor:focus > .fast-table--cursor { text-style: bold reverse; }
        &:nocolor > .fast-table--header { text-style: bold underline; }
    }
    """

    CursorMoved = messages.CursorMoved
    RowActivated = messages.RowActivated
    SortChanged = messages.SortChanged
    ViewChanged = messages.ViewChanged
    MarksChanged = messages.MarksChanged

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
        empty_text: str = "Nothing here yet.",
    ) -> None:
        """Create a table.

        Args:
            columns: The columns, left to right.
            name: Widget name.
            id: Widget id.
            classes: CSS classes.
            empty_text: Shown centred when no row is visible.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self.empty_text = empty_text
        self._rows: dict[str, Row] = {}
        self._view: list[str] = []
        self._positions: dict[str, int] | None = None
        self._filter: Predicate | None = None
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._cursor = 0
        self._last_cursor_key: str | None = None
        self._marked: set[str] = set()
        self._position_listener: Callable[[int, int, int], None] | None = None
        self._last_position: tuple[int, int, int] | None = None
        #: The next view installed puts the cursor on its first row (see `sort_by`).
        self._to_top = False
        self._layout = compute_layout([column.width for column in self.columns], 0)
        self._views = ViewComputer(self, self._install_view)

    # ----------------------------------------------------------------------------- data

    def set_rows(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Replace all rows. The table keeps the mappings given; don't mutate them later."""
        self._rows = dict(rows)
        if self._marked:
            self._set_marks(self._marked & self._rows.keys())
        if self._rebuild_view():
            # Until the new view arrives, keep the old order of the rows that are still there.
            self._replace_view(list(filter(self._rows.__contains__, self._view)))

    def update_rows(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Upsert rows by key, merging cells; new keys go to the end of the view.

        An active sort is not reapplied (rows would jump under the user); call `sort_by`
        again to re-sort. Only changed rows that are on screen are repainted.
        """
        batch = list(rows)
        predicate = self._filter
        touched = self._views.touched if self._views.pending else None
        # A few keys (a live poll) are found by list.index; a big batch pays for a full map once.
        position = self._key_positions().get if len(batch) > 8 else self._position_of
        changed: list[int] = []
        appended: list[str] = []
        hidden: set[str] = set()
        for key, cells in batch:
            old = self._rows.get(key)
            new = dict(cells) if old is None else {**old, **cells}
            if old is not None and new == old:
                continue
            self._rows[key] = new
            if touched is not None:
                touched[key] = None
            shown = predicate is None or predicate(key, new)
            index = position(key)
            if index is None:
                if shown and key not in appended:
                    appended.append(key)
            elif not shown:
                hidden.add(key)
            else:
                changed.append(index)
        if hidden:
            # Membership changed: rebuild the list once and keep the cursor on its key.
            self._replace_view([k for k in self._view if k not in hidden] + appended)
            return
        if appended:
            start = len(self._view)
            self._view.extend(appended)
            if self._positions is not None:
                self._positions.update((k, start + i) for i, k in enumerate(appended))
            self._update_virtual_size()
            changed.extend(range(start, len(self._view)))
            if start == 0:
                self.refresh()  # the empty text goes away
                self._notify_cursor()
            else:
                self._report_position()
        top, bottom = self._body_range()
        for index in changed:
            if top <= index < bottom:
                self.refresh_line(index + 1)

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Remove rows by key; unknown keys are ignored."""
        gone = {key for key in keys if self._rows.pop(key, None) is not None}
        if not gone:
            return
        self._views.touch(gone)
        if self._marked & gone:
            self._set_marks(self._marked - gone)
        self._replace_view([key for key in self._view if key not in gone])

    def clear(self) -> None:
        """Remove all rows (and marks)."""
        self.set_rows(())

    def get_row(self, key: str) -> Row | None:
        """The row with this key, or None."""
        return self._rows.get(key)

    @property
    def row_count(self) -> int:
        """Rows shown after the filter."""
        return len(self._view)

    @property
    def total_count(self) -> int:
        """All rows."""
        return len(self._rows)

    def visible_keys(self) -> list[str]:
        """Keys in the current sort and filter order (a copy).

        While a big table's new view is computed (`view_pending`), this is the old one.
        """
        return list(self._view)

    @property
    def view_pending(self) -> bool:
        """True while a new view is computed in a thread and not yet shown."""
        return self._views.pending

    async def view_ready(self) -> None:
        """Wait until the last sort, filter or rows asked for are on screen."""
        await self._views.ready()

    # ----------------------------------------------------------------------------- view

    @property
    def sort_column(self) -> str | None:
        """Key of the column sorted by, or None for insertion order."""
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        """True when sorted descending."""
        return self._sort_reverse

    def sort_by(self, column_key: str, reverse: bool = False, *, to_top: bool = False) -> None:
        """Sort stably by a column; empty (None) cells go last either way.

        A big table sorts in a thread: the header shows the new sort at once, the rows follow.
        `to_top`: once the new view is shown, the cursor is on its first row (else it stays
        on its key).
        """
        column = next((c for c in self.columns if c.key == column_key), None)
        if column is None:
            raise KeyError(column_key)
        self._sort_column = column_key
        self._sort_reverse = reverse
        self._to_top = self._to_top or to_top
        if self._rebuild_view():
            # Only the header: the body keeps the old view until the new one is ready.
            self.refresh_line(self.scroll_offset.y)

    def set_filter(self, predicate: Predicate | None, *, to_top: bool = False) -> None:
        """Show only rows for which `predicate(key, row)` is true; None shows all.

        A big table filters in a thread, so the predicate must only read (rows, settings).
        `to_top` as for `sort_by`.
        """
        self._filter = predicate
        self._to_top = self._to_top or to_top
        self._rebuild_view()

    def _rebuild_view(self) -> bool:
        """Compute the view for the current rows, filter and sort; True if it went to a thread.

        A newer call supersedes an older one still computing (its result is dropped).
        """
        column = self._sort_column_object()
        predicate = self._filter
        big = len(self._rows) >= self.BACKGROUND_ROWS and (column or predicate) is not None
        in_thread = big and self.is_running
        return self._views.request(
            self._rows, predicate, column, self._sort_reverse, in_thread=in_thread
        )

    def on_unmount(self) -> None:
        """Nothing will install a pending view now: release whoever waits for it."""
        self._views.release()

    def _install_view(self, keys: list[str]) -> None:
        to_top, self._to_top = self._to_top, False
        self._replace_view(keys, to_top=to_top)
        self.post_message(self.ViewChanged(self))

    def _sort_column_object(self) -> Column | None:
        if self._sort_column is None:
            return None
        return next(c for c in self.columns if c.key == self._sort_column)

    def _replace_view(self, keys: list[str], *, to_top: bool = False) -> None:
        """Install a new view, keeping the cursor on its key or near its old index.

        `to_top`: the cursor goes to the first row and the view starts there.
        """
        old_key = self.cursor_key
        old_index = self._cursor
        self._view = keys
        self._positions = None  # list.index below is C speed; a full map waits until needed
        if to_top:
            self._cursor = 0
        else:
            try:
                self._cursor = keys.index(old_key) if old_key is not None else 0
            except ValueError:
                self._cursor = min(old_index, max(len(keys) - 1, 0))
        self._update_virtual_size()
        self.refresh()
        if to_top:
            self.scroll_to(y=0, animate=False, force=True)
        self._scroll_to_cursor()
        self._notify_cursor()

    # ---------------------------------------------------------------------------- mouse

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            index = self._layout.column_at(offset.x + self.scroll_offset.x)
            if index is not None:
                key = self.columns[index].key
                reverse = not self._sort_reverse if key == self._sort_column else False
                self.sort_by(key, reverse)
                self.post_message(self.SortChanged(self, key, reverse))
            return
        index = self.scroll_offset.y + offset.y - 1
        if index >= len(self._view):
            return
        if index == self._cursor:
            if event.chain <= 2:
                self.action_activate()
        else:
            self._move_to(index)

"""`FastTable`'s base: the cursor, the marks and finding a key among the visible rows."""

from __future__ import annotations

from collections.abc import Callable

from textual.scroll_view import ScrollView

import illvid_tui.widgets.table.messages as messages
from illvid_tui.widgets.table.render import Row


class CursorAndMarks(ScrollView):
    """The cursor (one row, kept in view) and the marked keys; `FastTable` sets the state up."""

    _rows: dict[str, Row]
    """All rows by key."""
    _view: list[str]
    """Keys of the visible rows, in order."""
    _positions: dict[str, int] | None
    """Index of each key in `_view`, built lazily (None: not built for this view)."""
    _cursor: int
    _last_cursor_key: str | None
    _marked: set[str]
    _position_listener: Callable[[int, int, int], None] | None
    _last_position: tuple[int, int, int] | None

    # --------------------------------------------------------------------------- cursor

    def _position_of(self, key: str) -> int | None:
        if self._positions is not None:
            return self._positions.get(key)
        if key not in self._rows:
            return None
        try:
            return self._view.index(key)
        except ValueError:
            return None

    def _key_positions(self) -> dict[str, int]:
        # Built lazily: only update_rows and cursor lookups need it, once per view change.
        if self._positions is None:
            self._positions = dict(zip(self._view, range(len(self._view)), strict=True))
        return self._positions

    @property
    def cursor_key(self) -> str | None:
        """Key of the cursor row, or None when no row is shown."""
        return self._view[self._cursor] if self._view else None

    @property
    def cursor_index(self) -> int:
        """Position of the cursor in the visible rows (0 when empty)."""
        return self._cursor

    def move_cursor(self, key: str) -> None:
        """Put the cursor on the row with this key, if it is visible."""
        index = self._position_of(key)
        if index is not None:
            self._move_to(index)

    def _move_to(self, index: int) -> None:
        if not self._view:
            return
        index = max(0, min(index, len(self._view) - 1))
        old = self._cursor
        self._cursor = index
        if old != index:
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self._notify_cursor()

    def _notify_cursor(self) -> None:
        key = self.cursor_key
        if key != self._last_cursor_key:
            self._last_cursor_key = key
            self.post_message(messages.CursorMoved(self, key))
        self._report_position()

    def watch_position(self, listener: Callable[[int, int, int], None] | None) -> None:
        """Call `listener(cursor_index, rows_shown, rows_in_all)` now and when any changes.

        A direct call, not a message: a position line repaints itself alone, once per change.
        """
        self._position_listener = listener
        self._last_position = None
        self._report_position()

    def _report_position(self) -> None:
        listener = self._position_listener
        if listener is None:
            return
        position = (self._cursor, len(self._view), len(self._rows))
        if position != self._last_position:
            self._last_position = position
            listener(*position)

    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 0)

    def _body_range(self) -> tuple[int, int]:
        top = self.scroll_offset.y
        return top, top + self._body_height()

    def _scroll_to_cursor(self) -> None:
        height = self._body_height()
        if height <= 0 or not self._view:
            return
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, force=True)

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self._move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self._move_to(self._cursor + 1)

    def action_page_up(self) -> None:
        """Move up one screenful."""
        self._move_to(self._cursor - max(self._body_height() - 1, 1))

    def action_page_down(self) -> None:
        """Move down one screenful."""
        self._move_to(self._cursor + max(self._body_height() - 1, 1))

    def action_first(self) -> None:
        """Move to the first row."""
        self._move_to(0)

    def action_last(self) -> None:
        """Move to the last row."""
        self._move_to(len(self._view) - 1)

    def action_activate(self) -> None:
        """Post `RowActivated` for the cursor row."""
        key = self.cursor_key
        if key is not None:
            self.post_message(messages.RowActivated(self, key))

    # ---------------------------------------------------------------------------- marks

    @property
    def marked(self) -> frozenset[str]:
        """Keys of marked rows (visible or not)."""
        return frozenset(self._marked)

    def toggle_mark(self, key: str | None = None) -> None:
        """Mark or unmark a row; the cursor row by default."""
        key = self.cursor_key if key is None else key
        if key is None or key not in self._rows:
            return
        self._set_marks(self._marked ^ {key})

    def clear_marks(self) -> None:
        """Unmark every row."""
        self._set_marks(set())

    def mark_all_visible(self) -> None:
        """Mark every row the filter shows."""
        self._set_marks(self._marked | set(self._view))

    def action_toggle_mark(self) -> None:
        """Toggle the mark on the cursor row."""
        self.toggle_mark()

    def _set_marks(self, marks: set[str]) -> None:
        if marks == self._marked:
            return
        changed = marks ^ self._marked
        self._marked = marks
        top, bottom = self._body_range()
        if len(changed) > 8:
            self.refresh()
        else:
            for key in changed:
                index = self._position_of(key)
                if index is not None and top <= index < bottom:
                    self.refresh_line(index + 1)
        self.post_message(messages.MarksChanged(self, frozenset(marks)))

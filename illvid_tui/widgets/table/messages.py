"""The messages `FastTable` posts, reachable as `FastTable.CursorMoved` and so on.

They keep the `fast_table` namespace they had as nested classes, so handlers are still
named like `on_fast_table_cursor_moved`.
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget


class TableMessage(Message):
    """Base of the table's messages: carries the table, so `@on(..., "#id")` selectors work."""

    def __init__(self, table: Widget) -> None:
        self.table = table
        super().__init__()

    @property
    def control(self) -> Widget:
        """The table that posted the message."""
        return self.table


class CursorMoved(TableMessage, namespace="fast_table"):
    """The cursor moved to another row (or to none); bursts collapse into one."""

    def __init__(self, table: Widget, key: str | None) -> None:
        super().__init__(table)
        self.key = key

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CursorMoved) and message.table is self.table


class RowActivated(TableMessage, namespace="fast_table"):
    """Enter was pressed on a row, or the cursor row was clicked."""

    def __init__(self, table: Widget, key: str) -> None:
        super().__init__(table)
        self.key = key


class SortChanged(TableMessage, namespace="fast_table"):
    """The user sorted by clicking a header."""

    def __init__(self, table: Widget, column: str, reverse: bool) -> None:
        super().__init__(table)
        self.column = column
        self.reverse = reverse


class ViewChanged(TableMessage, namespace="fast_table"):
    """A new view (after `set_rows`, `sort_by` or `set_filter`) is installed.

    Posted for every view, computed in the loop or in a thread; `row_count` and
    `visible_keys()` are up to date when it arrives. Bursts collapse into one.
    """

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ViewChanged) and message.table is self.table


class MarksChanged(TableMessage, namespace="fast_table"):
    """The set of marked keys changed."""

    def __init__(self, table: Widget, marked: frozenset[str]) -> None:
        super().__init__(table)
        self.marked = marked

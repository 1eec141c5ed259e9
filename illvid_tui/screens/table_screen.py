"""`TableScreen`: search, `s`/`S` sorting, Esc and the position line, alike on every table.

The Uploads, Files and DMCA screens build on it, so the three behave the same way:

- `/` opens the search box; typing filters the table, Enter goes back to the table
  keeping the search.
- Esc in the search box clears it and goes back to the table. Esc on the table clears an
  active search first, then the marks.
- `s` sorts by the next column (ascending), `S` reverses the order.
- After a sort or a search the view starts at the first row of the result, with the
  cursor there (on a big table, once the view computed in a thread is shown). Clearing
  the search keeps the cursor on its row.
- One line under the table says where the cursor is ("row 1,204 of 50,000").

Focus starts on, and comes back to, the table: Textual focuses the first focusable
widget whenever a screen shows with nothing focused (first compose, a section switch or
dialog closing after the focus was lost), and the search box above the table would win,
hidden or not, swallowing every printable app key (`P`, `a`, section keys) as search
text. So `AUTO_FOCUS` names the table and the search box can take focus only from `/`
until it gives focus back.

Each screen keeps its own binding ids (users remap them) and says what a search matches
(`_apply_view`); the search box has the CSS class `table-search`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.screen import Screen
from textual.widgets import Input

from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.table.position import TablePosition


class TableScreen(Screen[None]):
    """A screen around one `FastTable` with a search box (see the module docstring)."""

    #: The column keys `s` steps through, in order.
    SORT_COLUMNS: ClassVar[tuple[str, ...]] = ()
    #: The column `S` sorts by (descending) while the table is unsorted.
    DEFAULT_SORT: ClassVar[str] = ""
    #: Column key -> the words after "Sorted by" (the key itself when absent).
    SORT_NAMES: ClassVar[dict[str, str]] = {}
    #: The search box shows only after `/` and hides again when cleared.
    SEARCH_HIDES: ClassVar[bool] = True
    #: What Textual focuses when the screen shows with nothing focused.
    AUTO_FOCUS = "FastTable"

    def __init__(self) -> None:
        super().__init__()
        #: What the search box holds, stripped ("" when no search is active).
        self.search_text = ""

    @property
    def table(self) -> FastTable:
        """The screen's table."""
        return self.query_one(FastTable)

    @property
    def search_box(self) -> Input:
        return self.query_one(".table-search", Input)

    def _apply_view(self, *, to_top: bool = False) -> None:
        """Filter the table by the screen's filters and `search_text` (`set_filter`)."""
        raise NotImplementedError

    @on(events.Mount)
    def _watch_table_position(self) -> None:
        lines = self.query(TablePosition)
        if lines:
            self.table.watch_position(lines.first().show)
        box = self.search_box
        box.can_focus = False  # until `/` opens it
        if self.SEARCH_HIDES:
            box.add_class("hidden")

    # -- search ------------------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search box."""
        box = self.search_box
        box.remove_class("hidden")
        box.can_focus = True
        box.focus()

    def on_click(self, event: events.Click) -> None:
        # A click on the search box opens it too (the mouse works as `/` does).
        if event.widget is not None and event.widget.has_class("table-search"):
            self.action_search()

    @on(events.DescendantBlur, ".table-search")
    def _search_left(self, event: events.DescendantBlur) -> None:
        # Focus goes elsewhere (Enter, Esc, a click): only `/` brings it back.
        event.widget.can_focus = False

    @on(Input.Changed, ".table-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.apply_search(event.value)

    def apply_search(self, text: str) -> None:
        """Search for `text` ("" shows every row); the view starts at its first row."""
        text = text.strip()
        if text != self.search_text:
            self.search_text = text
            self._apply_view(to_top=True)

    @on(Input.Submitted, ".table-search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def clear_search(self) -> None:
        """Empty the search box (hiding it where it hides) and show every row again.

        The cursor stays on its row: the one a search found is then seen among the others.
        """
        box = self.search_box
        if self.SEARCH_HIDES:
            box.add_class("hidden")
        if box.value or self.search_text:
            self.search_text = ""
            box.value = ""  # its Changed event then finds nothing new to apply
            self._apply_view()

    def escape_table(self) -> bool:
        """The shared Esc; False when it had nothing to do (see the module docstring)."""
        box = self.search_box
        if self.focused is box:
            self.clear_search()
            self.table.focus()
            return True
        self.table.focus()
        if box.value or self.search_text:
            self.clear_search()
            return True
        if self.table.marked:
            self.table.clear_marks()
            return True
        return False

    # -- sorting -----------------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        """Sort by the next column, ascending."""
        columns = self.SORT_COLUMNS
        current = self.table.sort_column
        index = columns.index(current) + 1 if current in columns else 0
        column = columns[index % len(columns)]
        self.table.sort_by(column, to_top=True)
        name = self.SORT_NAMES.get(column, column)
        self.notify(f"Sorted by {name}", timeout=1.5, markup=False)

    def action_reverse_sort(self) -> None:
        """Reverse the order (unsorted: the default column, descending)."""
        table = self.table
        column = table.sort_column or self.DEFAULT_SORT
        table.sort_by(column, not table.sort_reverse if table.sort_column else True, to_top=True)


__all__ = ["TableScreen"]

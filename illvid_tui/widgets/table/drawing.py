"""`FastTable`'s drawing and mouse: the header and the rows on screen, clicks, widths.

A base class, as `CursorAndMarks` below it: `FastTable` holds the rows and the view and
sets up the state this part reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.strip import Strip

from illvid_tui.widgets.table.cursor import CursorAndMarks
from illvid_tui.widgets.table.render import (
    Column,
    Layout,
    compute_layout,
    fit,
    render_header,
    render_row,
)

if TYPE_CHECKING:
    from illvid_tui.widgets.table.view import ViewComputer


class TableDrawing(CursorAndMarks):
    """Draws the lines on screen (line API) and turns clicks into sorts and cursor moves."""

    columns: tuple[Column, ...]
    empty_text: str
    _layout: Layout
    _sort_column: str | None
    _sort_reverse: bool

    _views: ViewComputer

    # -------------------------------------------------------------------------- drawing

    def _on_resize(self, event: events.Resize) -> None:
        """Recompute column widths; this is the only place widths are computed."""
        self._layout = compute_layout(
            [column.width for column in self.columns], self.scrollable_content_region.width
        )
        self._update_virtual_size()
        self._scroll_to_cursor()

    def _update_virtual_size(self) -> None:
        size = Size(self._layout.total, len(self._view) + 1)
        if size != self.virtual_size:
            self.virtual_size = size

    def render_line(self, y: int) -> Strip:
        """Render screen line `y`: the header at 0, then rows from the scroll position."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("fast-table--header")
            sorted_style = style + self.get_component_rich_style("fast-table--sorted")
            strip = render_header(
                self.columns,
                self._layout,
                self._sort_column,
                self._sort_reverse,
                style,
                sorted_style,
            )
        elif not self._view:
            if self._views.pending or y != max(self._body_height() // 2, 1):
                # While rows are being sorted in, "nothing here" would be a false flash.
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style("fast-table--empty")
            text = fit(self.empty_text, self.scrollable_content_region.width, "center")
            return Strip([Segment(text, style)]).crop_extend(0, width, base)
        else:
            index = scroll_y + y - 1
            if index >= len(self._view):
                return Strip.blank(width, base)
            key = self._view[index]
            marked = key in self._marked
            style = base
            if marked:
                style += self.get_component_rich_style("fast-table--marked")
            if index == self._cursor:
                style += self.get_component_rich_style("fast-table--cursor")
            row = self._rows[key]
            strip = render_row(self.columns, self._layout, row, marked, style, self.app.console)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

"""`TablePosition`: one line saying where the cursor is ("row 1,204 of 50,000").

It repaints only itself, and only when the position or a count changes
(`FastTable.watch_position` calls `show`); moving the cursor repaints nothing else.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget


def position_text(index: int, shown: int, total: int) -> str:
    """ "row 1,204 of 50,000"; with a search or filter, "row 3 of 120 · 50,000 in all"."""
    if total == 0:
        return ""
    if shown == 0:
        return f"no row shown · {total:,} in all"
    text = f"row {index + 1:,} of {shown:,}"
    return text if shown == total else f"{text} · {total:,} in all"


class TablePosition(Widget):
    """The cursor's row and the table's size, right-aligned on one line."""

    DEFAULT_CSS = """
    TablePosition { height: 1; width: 1fr; padding: 0 1; color: $text-muted; text-align: right; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._text = ""

    @property
    def text(self) -> str:
        """What the line says now."""
        return self._text

    def show(self, index: int, shown: int, total: int) -> None:
        """Say the cursor is on row `index` (0-based) of `shown`, out of `total` rows."""
        text = position_text(index, shown, total)
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> RenderResult:
        return Text(self._text, justify="right", no_wrap=True, overflow="ellipsis")

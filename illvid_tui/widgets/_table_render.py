"""Pure helpers for `FastTable`: cell formatting, fitting text to a width, column layout.

Kept free of widget state so they are cheap to test and to call once per visible line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from rich.cells import cell_len, set_cell_size
from rich.text import Text

Justify = Literal["left", "right", "center"]
Shorten = Literal["end", "middle"]

GUTTER = 2
"""Cells before the first column: the mark indicator and a space."""
SEPARATOR = 1
"""Cells between two columns."""
MIN_FLEX = 6
"""Narrowest a flexible column may become."""
ELLIPSIS = "…"

# Server text is one line per cell: control characters (newlines, tabs, ESC) become spaces
# so they can neither break the line nor reach the terminal.
_CONTROL = {code: " " for code in (*range(32), 127)}


@dataclass(frozen=True)
class Layout:
    """Column widths for one widget width.

    Attributes:
        widths: Width of each column, in cells.
        starts: Cell offset of each column from the left edge of the line.
        total: Width of the whole line, gutter included.
    """

    widths: tuple[int, ...]
    starts: tuple[int, ...]
    total: int

    def column_at(self, x: int) -> int | None:
        """Index of the column under cell `x` (its trailing separator included), or None."""
        for index in range(len(self.starts) - 1, -1, -1):
            if x >= self.starts[index]:
                return index if x < self.starts[index] + self.widths[index] + SEPARATOR else None
        return None


def compute_layout(widths: Sequence[int | None], available: int) -> Layout:
    """Share `available` cells between columns: fixed widths first, flexible ones split the rest.

    Args:
        widths: Each column's fixed width, or None for a flexible column.
        available: Cells the widget can show without horizontal scrolling.
    """
    flexible = sum(1 for width in widths if width is None)
    fixed = sum(width for width in widths if width is not None)
    rest = available - GUTTER - SEPARATOR * max(len(widths) - 1, 0) - fixed
    share, extra = divmod(max(rest, 0), flexible) if flexible else (0, 0)
    if share < MIN_FLEX:
        share, extra = MIN_FLEX, 0
    resolved: list[int] = []
    for width in widths:
        if width is None:
            resolved.append(share + (1 if extra > 0 else 0))
            extra -= 1
        else:
            resolved.append(max(width, 1))
    starts: list[int] = []
    offset = GUTTER
    for width in resolved:
        starts.append(offset)
        offset += width + SEPARATOR
    total = offset - SEPARATOR if resolved else GUTTER
    return Layout(tuple(resolved), tuple(starts), total)


def format_value(value: Any) -> str | Text:
    """Turn a raw cell value into display text; rich `Text` keeps its styles."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        text = value
    elif isinstance(value, date):  # datetime too: isoformat keeps it unambiguous
        text = value.isoformat()
    else:
        text = str(value)
    return text if text.isprintable() else text.translate(_CONTROL)


def shorten(text: str, width: int, how: Shorten = "end") -> str:
    """Cut `text` to at most `width` cells, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    narrow = text.isascii()
    length = len(text) if narrow else cell_len(text)
    if length <= width:
        return text
    if width == 1:
        return ELLIPSIS
    if how == "middle":
        head = width // 2
        tail = width - 1 - head
        if narrow:
            return f"{text[:head]}{ELLIPSIS}{text[len(text) - tail :]}"
        return f"{set_cell_size(text, head)}{ELLIPSIS}{set_cell_size(text[::-1], tail)[::-1]}"
    if narrow:
        return f"{text[: width - 1]}{ELLIPSIS}"
    return f"{set_cell_size(text, width - 1)}{ELLIPSIS}"


def fit(text: str, width: int, justify: Justify = "left", how: Shorten = "end") -> str:
    """Shorten or pad `text` to exactly `width` cells."""
    text = shorten(text, width, how)
    pad = width - (len(text) if text.isascii() else cell_len(text))
    if pad <= 0:
        return text
    if justify == "right":
        return " " * pad + text
    if justify == "center":
        left = pad // 2
        return f"{' ' * left}{text}{' ' * (pad - left)}"
    return text + " " * pad


def fit_text(text: Text, width: int, justify: Justify = "left", how: Shorten = "end") -> Text:
    """Styled version of `fit`: returns a new `Text` exactly `width` cells wide."""
    text = text.copy()
    if not text.plain.isprintable():
        # Same length replacement, so the spans stay where they were.
        text.plain = text.plain.translate(_CONTROL)
    if text.cell_len > width:
        if how == "middle" and width > 1:
            # Character offsets: exact for the narrow text that URLs and names mostly are.
            head = width // 2
            tail = width - 1 - head
            start, _, end = text.divide([head, len(text) - tail])
            text = Text.assemble(start, ELLIPSIS, end)
        else:
            text.truncate(width, overflow="ellipsis")
    text.align(justify, width)
    text.truncate(width)
    return text

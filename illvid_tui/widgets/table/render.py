"""Helpers for `FastTable`: columns, cell formatting, fitting text, layout, sorting, lines.

Kept free of widget state so they are cheap to test and to call once per visible line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import methodcaller
from typing import Any, Literal

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

Justify = Literal["left", "right", "center"]
Shorten = Literal["end", "middle"]
Row = Mapping[str, Any]
Predicate = Callable[[str, Row], bool]

GUTTER = 2
"""Cells before the first column: the mark indicator and a space."""
SEPARATOR = 1
"""Cells between two columns."""
MIN_FLEX = 6
"""Narrowest a flexible column may become."""
ELLIPSIS = "…"
MARK = "● "
NO_MARK = "  "

# Server text is one line per cell: control characters (newlines, tabs, ESC) become spaces
# so they can neither break the line nor reach the terminal.
_CONTROL = {code: " " for code in (*range(32), 127)}


@dataclass(frozen=True)
class Column:
    """One table column.

    Attributes:
        key: Key of the cell in each row mapping.
        label: Header text.
        width: Fixed width in cells; None shares the remaining width (min 6).
        justify: Alignment of cells and header.
        sort_key: Maps a raw cell value to its sort key; None values always sort last.
        shorten: Where too-long text is cut: "end", or "middle" for URLs and paths.
    """

    key: str
    label: str
    width: int | None = None
    justify: Justify = "left"
    sort_key: Callable[[Any], Any] | None = None
    shorten: Shorten = "end"


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


def compute_view(
    rows: Mapping[str, Row],
    predicate: Predicate | None,
    column: Column | None,
    reverse: bool,
    stale: Callable[[], bool] | None = None,
) -> list[str] | None:
    """The keys to show: `rows` in insertion order, filtered, then sorted stably by `column`.

    Safe to run in a thread over a snapshot of the rows. `stale` is asked between the steps;
    when it answers True the work is abandoned and None returned (a newer view was asked for).
    """
    if predicate is None:
        keys = list(rows)
    else:
        keys = [key for key, row in rows.items() if predicate(key, row)]
    if column is None:
        return keys
    if stale is not None and stale():
        return None
    return sort_keys(rows, keys, column, reverse, stale)


_NONE_TYPE = type(None)


def sort_keys(
    rows: Mapping[str, Row],
    keys: list[str],
    column: Column,
    reverse: bool,
    stale: Callable[[], bool] | None = None,
) -> list[str] | None:
    """Sort `keys` stably by their rows' cells in `column`; empty (None) cells go last.

    Returns None only when `stale` says the result is no longer wanted.
    """
    # C-level loops (map, list.__getitem__ as the sort key) instead of Python key functions:
    # at 1M rows this is several times faster than sorting with a lambda.
    values: list[Any] = list(map(methodcaller("get", column.key), map(rows.__getitem__, keys)))
    kinds = set(map(type, values))
    present: list[int] | None = None
    if _NONE_TYPE in kinds:
        present = [index for index, value in enumerate(values) if value is not None]
        values_present: list[Any] = list(map(values.__getitem__, present))
    else:
        values_present = values
    if column.sort_key is not None:
        sortable: list[Any] = list(map(column.sort_key, values_present))
    elif any(issubclass(kind, Text) for kind in kinds):
        sortable = [v.plain if isinstance(v, Text) else v for v in values_present]
    else:
        sortable = values_present
    if stale is not None and stale():
        return None
    try:
        # Python's sort is stable for reverse=True too.
        order = sorted(range(len(sortable)), key=sortable.__getitem__, reverse=reverse)
    except TypeError:
        # Mixed types in one column: order by text rather than fail.
        texts = [str(value) for value in sortable]
        order = sorted(range(len(texts)), key=texts.__getitem__, reverse=reverse)
    if present is None:
        return list(map(keys.__getitem__, order))
    result = list(map(keys.__getitem__, map(present.__getitem__, order)))
    result.extend(compress(keys, [value is None for value in values]))
    return result


def render_header(
    columns: Sequence[Column],
    layout: Layout,
    sort_column: str | None,
    reverse: bool,
    style: Style,
    sorted_style: Style,
) -> Strip:
    """The header line, the sorted column's label carrying ▲ or ▼."""
    segments = [Segment(" " * GUTTER, style)]
    for number, (column, width) in enumerate(zip(columns, layout.widths, strict=True)):
        if number:
            segments.append(Segment(" " * SEPARATOR, style))
        if column.key == sort_column:
            arrow = " ▼" if reverse else " ▲"
            label = fit(column.label, max(width - len(arrow), 0)).rstrip() + arrow
            segments.append(Segment(fit(label, width, column.justify), sorted_style))
        else:
            segments.append(Segment(fit(column.label, width, column.justify), style))
    return Strip(segments, layout.total)


def render_row(
    columns: Sequence[Column],
    layout: Layout,
    row: Row,
    marked: bool,
    style: Style,
    console: Console,
) -> Strip:
    """One data line, `layout.total` cells wide, every cell drawn over `style`."""
    # Plain cells share the row style, so they are joined into one segment; only rich
    # Text cells are rendered into segments of their own.
    segments: list[Segment] = []
    parts: list[str] = [MARK if marked else NO_MARK]
    for number, (column, width) in enumerate(zip(columns, layout.widths, strict=True)):
        if number:
            parts.append(" " * SEPARATOR)
        value = format_value(row.get(column.key))
        if isinstance(value, str):
            parts.append(fit(value, width, column.justify, column.shorten))
            continue
        segments.append(Segment("".join(parts), style))
        parts = []
        text = fit_text(value, width, column.justify, column.shorten)
        # Text.render leaves out the base style when there are no spans: add it here.
        cell_style = style + console.get_style(text.style, default=Style.null())
        segments.extend(Segment.apply_style(text.render(console), cell_style))
    if parts:
        segments.append(Segment("".join(parts), style))
    return Strip(segments, layout.total)

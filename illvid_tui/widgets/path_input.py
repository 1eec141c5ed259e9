"""An `Input` for file-system paths, completed from the directory being typed.

The completion shows greyed after the cursor (Textual's suggester); `tab` or
`right` at the end accepts it. Several matches complete to their common
prefix, like a shell; a single folder gets its trailing "/". Hidden entries
show only once a "." is typed. `~` is expanded for listing, kept as typed.
"""

from __future__ import annotations

import asyncio
import os
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

#: Entries read per directory at most (a huge folder must not stall the listing).
MAX_ENTRIES = 5000


def complete_path(value: str) -> str | None:
    """The completion of `value` (a path being typed), or None when there is none.

    Blocking (lists one directory): call it from a thread.
    """
    if not value:
        return None
    head, tail = os.path.split(value)
    folder = os.path.expanduser(head) if head else "."
    matches: list[tuple[str, bool]] = []
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                if not entry.name.startswith(tail):
                    continue
                if entry.name.startswith(".") and not tail.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                matches.append((entry.name, is_dir))
    except OSError:
        return None
    if not matches:
        return None
    if len(matches) == 1:
        name, is_dir = matches[0]
        completed = name + ("/" if is_dir else "")
    else:
        completed = os.path.commonprefix([name for name, _ in matches])
    if len(completed) <= len(tail):
        return None
    return value + completed[len(tail) :]


class PathSuggester(Suggester):
    """Suggests the completion of a path; remembers the last one per value."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.last: dict[str, str] = {}

    async def get_suggestion(self, value: str) -> str | None:
        suggestion = await asyncio.to_thread(complete_path, value)
        # Kept per value, not only the latest: typing fast, an older value's
        # answer may land after the newest one's and must not erase it.
        if suggestion:
            self.last[value] = suggestion
            while len(self.last) > 64:
                del self.last[next(iter(self.last))]
        return suggestion


class PathInput(Input):
    """An Input with path completion: `tab` (or `right` at the end) accepts it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_completion", "Complete", show=False, id="path.complete"),
    ]

    DEFAULT_CSS = """
    PathInput { width: 1fr; }
    """

    def __init__(
        self,
        value: str | None = None,
        placeholder: str = "",
        *,
        id: str | None = None,  # noqa: A002 - Textual's name for it
        classes: str | None = None,
    ) -> None:
        self.path_suggester = PathSuggester()
        super().__init__(
            value=value,
            placeholder=placeholder,
            suggester=self.path_suggester,
            id=id,
            classes=classes,
        )

    def action_accept_completion(self) -> None:
        """Take the shown completion; with none, tab moves focus on as usual."""
        suggestion = self.path_suggester.last.get(self.value)
        if suggestion is None and self.value and self.cursor_at_end:
            # Tab pressed before the completion arrived: one directory listing, now.
            suggestion = complete_path(self.value)
        if suggestion and self.cursor_at_end:
            self.value = suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

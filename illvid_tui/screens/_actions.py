"""Small actions every section shares: copy to the clipboard, write an export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widget import Widget

from illvid_tui.core.export import ExportError


def copy_text(node: Widget, text: str, what: str) -> None:
    """Copy `text` (OSC 52) and say so; a terminal that refuses never breaks the app."""
    try:
        node.app.copy_to_clipboard(text)
    except Exception:  # noqa: BLE001 - a terminal without OSC 52 must not break the app
        node.notify("Could not copy: the terminal refused the clipboard.", severity="error")
        return
    node.notify(f"Copied {what}", timeout=2, markup=False)


def export_from_thread(
    node: Widget, write: Callable[[], Path], done: Callable[[Path], str]
) -> None:
    """Run `write` (in a `thread=True` worker) and notify `done(path)` or why it failed."""
    try:
        written = write()
    except ExportError as error:
        node.app.call_from_thread(
            node.notify, str(error), title="Export", severity="error", markup=False
        )
        return
    node.app.call_from_thread(node.notify, done(written), title="Export", markup=False)


__all__ = ["copy_text", "export_from_thread"]

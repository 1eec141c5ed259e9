"""`?`: every binding of the screen it was opened from, with its id for the keymap."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Keys of the current screen (and the app's global keys)."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close2"),
    ]

    def __init__(self, title: str, rows: Iterable[tuple[str, str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id (keymap)", style="dim", no_wrap=True)
        for key, description, binding_id in self.rows:
            table.add_row(Text(key), Text(description), Text(binding_id))
        box = VerticalScroll(id="help-box")
        box.border_title = f"Keys: {self.help_title}"
        box.border_subtitle = "escape: close"
        with box:
            yield Static(table)
            yield Static(
                Text(
                    "Remap keys in keymap.toml in the config folder: "
                    'binding id = "keys", e.g. "account.refresh" = "r,f5".',
                    style="dim",
                )
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

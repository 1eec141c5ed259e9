"""A small modal asking for a file path (export targets), with a default.

    self.app.push_screen(PathDialog("Export CSV", default="~/dmca.csv"), on_path)

Dismisses with the expanded `Path`, or None when cancelled. A path where no
file can be written (missing folder, a folder itself) is refused in place
with the reason, so the dialog stays open for a fix; an existing file is
replaced only once the user says so (else the dialog stays open).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from illvid_tui.core.export import ExportError, check_path
from illvid_tui.widgets.path_input import PathInput


class PathDialog(ModalScreen[Path | None]):
    """Ask for a path to write to; dismiss with it, or with None on escape/cancel."""

    DEFAULT_CSS = """
    PathDialog {
        align: center middle;
        background: $background 60%;
    }
    PathDialog > #path-box {
        width: 72;
        max-width: 100%;
        height: auto;
        border: round $accent;
        border-title-style: bold;
        padding: 0 1;
        background: $surface;
    }
    PathDialog #path-help { color: $text-muted; }
    PathDialog #path-error { color: $error; height: auto; }
    PathDialog #path-error:nocolor { text-style: bold; }
    PathDialog #path-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    PathDialog #path-buttons Button { margin-left: 1; min-width: 10; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="path_dialog.cancel"),
    ]

    def __init__(self, title: str, default: str = "", *, help_text: str | None = None) -> None:
        """Create the dialog.

        Args:
            title: What is being saved, shown as the box title ("Export CSV").
            default: The path shown at first (may start with `~`).
            help_text: One line under the title; a generic hint when None.
        """
        super().__init__()
        self.title_text = title
        self.default = default
        self.help_text = help_text or "Enter saves, Tab completes, Escape cancels. ~ is home."

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box") as box:
            box.border_title = self.title_text
            yield Label(self.help_text, id="path-help")
            yield PathInput(value=self.default, placeholder="path/to/file", id="path-input")
            yield Static("", id="path-error", markup=False)
            with Horizontal(id="path-buttons"):
                yield Button("Save", variant="primary", id="path-ok")
                yield Button("Cancel", id="path-cancel")

    def on_mount(self) -> None:
        field = self.query_one("#path-input", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#path-input")
    @on(Button.Pressed, "#path-ok")
    def _submit(self) -> None:
        value = self.query_one("#path-input", Input).value
        try:
            path = check_path(value)
        except ExportError as error:
            self.query_one("#path-error", Static).update(f"✗ {error}")
            return
        if not path.exists():
            self.dismiss(path)
            return
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        def answered(replace: bool | None) -> None:
            if replace:
                self.dismiss(path)
            else:
                self.query_one("#path-input", Input).focus()

        question = f"{path} exists. Replace it?"
        self.app.push_screen(ConfirmScreen(question, "Replace"), answered)

    @on(Input.Changed, "#path-input")
    def _clear_error(self) -> None:
        self.query_one("#path-error", Static).update("")

    @on(Button.Pressed, "#path-cancel")
    def action_cancel(self) -> None:
        """Close without a path."""
        self.dismiss(None)


__all__ = ["PathDialog"]

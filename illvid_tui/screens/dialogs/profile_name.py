"""A small modal asking for a profile name (rename), refusing bad or taken names in place."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from illvid_tui.core.profiles import name_problem


class ProfileNameDialog(ModalScreen[str | None]):
    """Ask for a new profile name; dismiss with it, or None on escape/cancel."""

    DEFAULT_CSS = """
    ProfileNameDialog { align: center middle; background: $background 60%; }
    ProfileNameDialog > #name-box {
        width: 60; max-width: 100%; height: auto;
        border: round $accent; border-title-style: bold; padding: 0 1; background: $surface;
    }
    ProfileNameDialog #name-error { color: $error; height: auto; }
    ProfileNameDialog #name-error:nocolor { text-style: bold; }
    ProfileNameDialog #name-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ProfileNameDialog #name-buttons Button { margin-left: 1; min-width: 10; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="profile_name.cancel"),
    ]

    def __init__(self, title: str, current: str, taken: Collection[str]) -> None:
        super().__init__()
        self.box_title = title
        self.current = current
        self.taken = set(taken) - {current}

    def compose(self) -> ComposeResult:
        box = Vertical(id="name-box")
        box.border_title = self.box_title
        with box:
            yield Static(Text("Letters, digits, '.', '_' or '-'.", style="dim"))
            yield Input(self.current, id="name-input", select_on_focus=True)
            yield Static(id="name-error")
            with Horizontal(id="name-buttons"):
                yield Button("OK", id="name-ok", variant="primary", compact=True)
                yield Button("Cancel", id="name-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    @on(Input.Submitted, "#name-input")
    @on(Button.Pressed, "#name-ok")
    def _ok(self) -> None:
        name = self.query_one("#name-input", Input).value.strip()
        problem = name_problem(name)
        if problem is None and name in self.taken:
            problem = f"a profile named {name!r} exists already"
        if problem:
            self.query_one("#name-error", Static).update(Text(problem))
            return
        self.dismiss(name)

    @on(Button.Pressed, "#name-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

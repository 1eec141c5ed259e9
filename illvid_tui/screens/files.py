"""The Files screen (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class FilesScreen(Screen[None]):
    """Files: coming soon."""

    def compose(self) -> ComposeResult:
        yield Static("Files: coming soon.", id="placeholder")
        yield Footer()

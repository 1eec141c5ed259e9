"""The Uploads screen (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class UploadsScreen(Screen[None]):
    """Uploads: coming soon."""

    def compose(self) -> ComposeResult:
        yield Static("Uploads: coming soon.", id="placeholder")
        yield Footer()

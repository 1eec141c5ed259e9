"""The DMCA screen (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class DmcaScreen(Screen[None]):
    """DMCA: coming soon."""

    def compose(self) -> ComposeResult:
        yield Static("DMCA: coming soon.", id="placeholder")
        yield Footer()

"""The one-line header every screen shows: section, account, connection state."""

from __future__ import annotations

from textual.widgets import Static


class AppHeader(Static):
    """Section name, account login and connection state (ok, retrying, offline...)."""

    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $panel; color: $foreground; }
    """

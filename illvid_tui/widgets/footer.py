"""Textual's Footer, recomposed once per burst of binding changes, and only on a change.

Textual's Footer rebuilds all its keys on every "bindings changed" signal. A
screen sends several within a few milliseconds (focus, screen stack, idle):
four at start-up, ~15 ms of the event loop each, while the first data is on
its way. This one schedules at most one rebuild per refresh and skips it when
the keys it would show are the ones it shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

_Shown = tuple[tuple[str, str, str, bool, str], ...]


class AppFooter(Footer):
    """A drop-in `Footer` that coalesces its rebuilds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rebuild_pending = False
        self._shown: _Shown | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its screen went away meanwhile (a dismissed dialog)
        shown = self._what_it_shows()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()

    def _what_it_shows(self) -> _Shown:
        palette_key = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, self.app.get_key_display(binding), binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette_key
        )

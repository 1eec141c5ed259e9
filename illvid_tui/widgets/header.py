"""The one-line header every screen shows: the sections as tabs, account, connection state.

The tabs carry each section's key, so the way to every section stays in
sight at any width (the footer runs out of room at 80 columns), and a click
on a tab switches to it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from illvid_tui.core.logs import bench_mark

#: Marker and style per connection state; the word is there too, so the
#: state reads without colour (NO_COLOR=1).
_LOOK = {
    "ok": ("●", "green"),
    "connecting": ("…", "dim"),
    "signed out": ("○", "dim"),
    "retrying": ("◐", "yellow"),
    "offline": ("✖", "red"),
    "rejected": ("✖", "red"),
    "error": ("✖", "red"),
}


class AppHeader(Widget):
    """Section name, account login and connection state (ok, retrying, offline...).

    It follows the app's `login` and `connection` reactives by itself; screens
    just compose it first.
    """

    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $panel; color: $foreground; }
    """

    login: reactive[str] = reactive("")
    #: The profile in use ("" for none: the demo, or tests that pass credentials).
    profile: reactive[str] = reactive("")
    #: Local uploads in flight ("⇡ 2 · 37% · 12.3 MB/s"), "" when none.
    uploads: reactive[str] = reactive("")
    state: reactive[str] = reactive("connecting")
    detail: reactive[str] = reactive("")

    #: Where each tab was drawn (start, end, section), for clicks.
    _spans: list[tuple[int, int, str]]

    def on_mount(self) -> None:
        self._spans = []
        self._drawn_tabs: list[tuple[str, str, str]] | None = None
        # A keymap applied after the first frame changes the keys on the tabs.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # The first header painted is the app's first frame (benchmarks/startup.py).
        self.call_after_refresh(self._painted)
        app = self.app
        if hasattr(app, "connection"):
            self.watch(app, "connection", self._connection_changed)
            self.watch(app, "login", self._login_changed)
        if hasattr(app, "profile_label"):
            self.watch(app, "profile_label", self._profile_changed)
        if hasattr(app, "local_uploads"):
            # Once a second; the line is redrawn only when its text changes (idle: never).
            self.set_interval(1.0, self._uploads_tick, name="header uploads")
            self._uploads_tick()

    def _painted(self) -> None:
        bench_mark("frame")
        first_frame = getattr(self.app, "first_frame", None)
        if callable(first_frame):
            first_frame()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        if self._tabs() != self._drawn_tabs:
            self.refresh()

    def _connection_changed(self, value: tuple[str, str]) -> None:
        self.state, self.detail = value

    def _login_changed(self, value: str) -> None:
        self.login = value

    def _profile_changed(self, value: str) -> None:
        self.profile = value

    def _uploads_tick(self) -> None:
        runner = getattr(self.app, "local_uploads", None)
        flight = runner.in_flight() if runner is not None else None
        if flight is None or not flight.count:
            self.uploads = ""
            return
        from illvid_tui.core.local_paths import size_text

        speed = f" · {size_text(flight.speed)}/s" if flight.speed else ""
        self.uploads = f"⇡ {flight.count} · {flight.percent:.0f}%{speed}"

    def _tabs(self) -> list[tuple[str, str, str]]:
        """(section, key, title) per section, or [] when this screen is not a section."""
        titles: dict[str, str] = getattr(self.app, "SECTION_TITLES", {})
        current = getattr(self.app, "current_mode", None)
        if current not in titles or self.screen.title != titles[current]:
            return []
        # The app's own keys, not the screen's active bindings: those leave out
        # every printable key while a text box has focus (a screen's search box
        # when it mounts), and the tabs were drawn without their keys.
        section_keys = getattr(self.app, "section_keys", None)
        keys: dict[str, str] = section_keys() if callable(section_keys) else {}
        return [(name, keys.get(name, ""), t) for name, t in titles.items()]

    def _left(self, tabs: list[tuple[str, str, str]], short: bool) -> Text:
        if not tabs:
            section = self.screen.title or self.app.title or ""
            return Text.assemble((" illvid", "bold"), " › ", (section, "bold"))
        left = Text(" ")
        self._spans = []
        current = getattr(self.app, "current_mode", None)
        for name, key, title in tabs:
            here = name == current
            label = f" {key} {title} " if here or not short else f" {key} "
            start = left.cell_len
            # Reverse video marks the current tab without colour (NO_COLOR=1).
            left.append(label, "bold reverse" if here else "dim")
            self._spans.append((start, left.cell_len, name))
        return left

    def render(self) -> RenderResult:
        marker, style = _LOOK.get(self.state, ("?", ""))
        right = Text()
        if self.uploads:
            right.append(self.uploads, "cyan")
            right.append("  ")
        if self.profile:
            right.append(self.profile, "bold")
            right.append(f" ({self.login})  " if self.login else "  ")
        elif self.login:
            right.append(self.login)
            right.append("  ")
        right.append(f"{marker} ", style)
        right.append(self.detail or self.state, style)
        right.append(" ")
        width = self.size.width
        tabs = self._tabs()
        self._drawn_tabs = tabs
        left = self._left(tabs, short=False)
        if width - left.cell_len - right.cell_len < 1 and tabs:
            left = self._left(tabs, short=True)  # only the current tab keeps its name
        gap = width - left.cell_len - right.cell_len
        if gap < 1:
            # Narrow: the connection state matters more than the section name.
            self._spans = []
            right.truncate(max(width - 1, 1), overflow="ellipsis")
            return right
        return Text.assemble(left, " " * gap, right)

    async def on_click(self, event: events.Click) -> None:
        for start, end, name in self._spans:
            if start <= event.x < end:
                await self.app.run_action(f"section('{name}')")
                return

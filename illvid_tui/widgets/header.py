"""The one-line header every screen shows: section, account, connection state."""

from __future__ import annotations

from rich.text import Text
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
    state: reactive[str] = reactive("connecting")
    detail: reactive[str] = reactive("")

    def on_mount(self) -> None:
        # The first header painted is the app's first frame (benchmarks/startup.py).
        self.call_after_refresh(self._painted)
        app = self.app
        if hasattr(app, "connection"):
            self.watch(app, "connection", self._connection_changed)
            self.watch(app, "login", self._login_changed)

    def _painted(self) -> None:
        bench_mark("frame")
        first_frame = getattr(self.app, "first_frame", None)
        if callable(first_frame):
            first_frame()

    def _connection_changed(self, value: tuple[str, str]) -> None:
        self.state, self.detail = value

    def _login_changed(self, value: str) -> None:
        self.login = value

    def render(self) -> RenderResult:
        section = self.screen.title or self.app.title or ""
        marker, style = _LOOK.get(self.state, ("?", ""))
        left = Text.assemble((" illvid", "bold"), " › ", (section, "bold"))
        right = Text()
        if self.login:
            right.append(self.login)
            right.append("  ")
        right.append(f"{marker} ", style)
        right.append(self.detail or self.state, style)
        right.append(" ")
        width = self.size.width
        gap = width - left.cell_len - right.cell_len
        if gap < 1:
            # Narrow: the connection state matters more than the section name.
            right.truncate(max(width - 1, 1), overflow="ellipsis")
            return right
        return Text.assemble(left, " " * gap, right)

"""Keys typed right after a section or dialog key go to the screen that key opens.

The keys are posted all at once (a fast typist, a macro, `tmux send-keys 2a`),
not with `pilot.press`, which waits for the app to be idle after each key.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_login_burst import burst, typed
from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from illvid_tui.app import IllvidApp, key_order
from illvid_tui.app.key_order import KeysInOrder
from illvid_tui.screens.add_urls import AddUrlsScreen

MakeApp = Callable[..., IllvidApp]
SIZE = (100, 30)


async def connected(app: IllvidApp, pilot: Pilot[None]) -> None:
    for _ in range(400):
        if app.poller is not None and app.screen.focused is not None:
            return
        await pilot.pause(0.01)
    raise AssertionError("the demo never connected")


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(30):
        await pilot.pause()


async def test_section_then_add_key_opens_the_add_dialog(make_app: MakeApp) -> None:
    app = make_app("account")
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        burst(app, ["2", "a"])
        await settle(pilot)
        assert app.current_mode == "uploads"
        assert isinstance(app.screen, AddUrlsScreen)


async def test_section_search_and_text_in_one_burst(make_app: MakeApp) -> None:
    app = make_app("account")
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        burst(app, ["4", "slash", *typed("abc")])
        await settle(pilot)
        assert app.current_mode == "dmca"
        search = app.screen.query_one("#dmca-search", Input)
        assert search.has_focus and search.value == "abc"


async def test_text_typed_after_the_dialog_key_lands_in_the_dialog(make_app: MakeApp) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        burst(app, ["a", *typed("xyz")])
        await settle(pilot)
        assert isinstance(app.screen, AddUrlsScreen)
        assert app.screen.query_one("#add-urls", TextArea).text == "xyz"


async def test_keys_between_sections_all_count(make_app: MakeApp) -> None:
    # 2, 3, 1 in a burst ends on Account; 2 then 3 visited in between.
    app = make_app("account")
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        seen: list[str] = []
        app.mode_change_signal.subscribe(app, seen.append)
        burst(app, ["2", "3", "1"])
        await settle(pilot)
        assert seen == ["uploads", "files", "account"]
        assert app.current_mode == "account"


class _DropsMarkers(Static, can_focus=True):
    """A widget that loses what follows a key (as one removed on the way would)."""

    def __init__(self) -> None:
        super().__init__("x")
        self.keys: list[str] = []

    def on_key(self, event: events.Key) -> None:
        self.keys.append(event.key)

    def post_message(self, message: Message) -> bool:
        if type(message).__module__ == key_order.__name__:
            return False
        return super().post_message(message)


class _Lossy(KeysInOrder):
    def compose(self) -> ComposeResult:
        yield _DropsMarkers()

    def on_mount(self) -> None:
        self.query_one(_DropsMarkers).focus()


async def test_keys_go_on_when_a_marker_is_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_order, "GIVE_UP", 0.05)
    app = _Lossy()
    async with app.run_test() as pilot:
        await pilot.pause()
        burst(app, ["a", "b", "c"])  # type: ignore[arg-type]
        widget = app.query_one(_DropsMarkers)
        for _ in range(200):
            if len(widget.keys) == 3:
                break
            await pilot.pause(0.01)
        assert widget.keys == ["a", "b", "c"]

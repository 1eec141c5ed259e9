"""Focus on the three tables: it starts on the table, even before the account answers.

The search box is an `Input`: had it the focus, every printable app key (section keys,
`P`, `a`) would be typed into it instead of acting.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Input

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.profiles import ProfilesScreen
from illvid_tui.widgets.table import FastTable

SIZE = (80, 24)


@pytest.mark.parametrize("screen", ["uploads", "files", "dmca"])
async def test_a_key_pressed_while_connecting_acts(
    make_app: Callable[..., IllvidApp], emulator: Emulator, screen: str
) -> None:
    emulator.faults.slow_ops["account_info"] = 30.0
    app = make_app(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.account.info is None  # still connecting
        assert isinstance(app.screen.focused, FastTable), app.screen.focused
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        emulator.faults.slow_ops["account_info"] = 0.0


@pytest.mark.parametrize("screen", ["uploads", "files", "dmca"])
async def test_focus_lost_while_connecting_comes_back_to_the_table(
    make_app: Callable[..., IllvidApp], emulator: Emulator, screen: str
) -> None:
    """Focus lost (the terminal blurred, a focused widget went away) then a screen on top
    closed: Textual focuses the first focusable widget, which must be the table, not the
    search box above it (hidden or not)."""
    emulator.faults.slow_ops["account_info"] = 30.0
    app = make_app(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.account.info is None  # still connecting
        assert not isinstance(app.screen.focused, Input), app.screen.focused
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        emulator.faults.slow_ops["account_info"] = 0.0


@pytest.mark.parametrize("screen", ["uploads", "files", "dmca"])
async def test_slash_opens_the_search_and_enter_gives_the_keys_back(
    make_app: Callable[..., IllvidApp], screen: str
) -> None:
    app = make_app(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", "x")
        await pilot.pause()
        box = app.screen.query_one(".table-search", Input)
        assert app.screen.focused is box and box.value == "x"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen.focused, FastTable)
        await pilot.press("slash")  # opens again
        await pilot.pause()
        assert app.screen.focused is box
        await pilot.press("escape", "P")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)


async def test_a_click_on_the_search_box_opens_it(make_app: Callable[..., IllvidApp]) -> None:
    # DMCA shows its search box all the time: the mouse opens it as `/` does.
    app = make_app(screen="dmca")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        box = app.screen.query_one(".table-search", Input)
        assert isinstance(app.screen.focused, FastTable)
        await pilot.click(".table-search")
        await pilot.pause()
        assert app.screen.focused is box
        await pilot.press("z")
        await pilot.pause()
        assert box.value == "z"

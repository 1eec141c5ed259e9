"""A password manager types login, Tab, key in one burst: the key never lands in a visible field.

The keys are posted to the app all at once (as a terminal delivers a paste-like
burst: one read, many key events), not one press at a time with the app idle
in between, which is what `pilot.press` does.
"""

from __future__ import annotations

import pytest
from conftest import TODAY
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator
from illvid_tui.screens.login import LoginScreen

SIZE = (100, 30)


_CHARS = {"tab": "\t", "enter": "\r", "minus": "-", "full_stop": ".", "underscore": "_"}


def burst(app: IllvidApp, keys: list[str]) -> None:
    """Post every key event at once, in order, before the app handles any of them."""
    for key in keys:
        char = key if len(key) == 1 else _CHARS.get(key)
        app.post_message(events.Key(key, char))


def typed(text: str) -> list[str]:
    names = {char: name for name, char in _CHARS.items()}
    return [names.get(c, c) for c in text]


async def login_screen(app: IllvidApp, pilot: Pilot[None]) -> LoginScreen:
    for _ in range(400):
        if isinstance(app.screen, LoginScreen) and app.screen.focused is not None:
            return app.screen
        await pilot.pause(0.01)
    raise AssertionError("no login screen")


@pytest.mark.parametrize("between", ["tab", "enter"])
async def test_a_burst_of_login_tab_key_fills_each_field(
    settings: Settings, emulator: Emulator, json_keyring: object, between: str
) -> None:
    app = create_app(settings, transport=emulator.transport(), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await login_screen(app, pilot)
        login_box = screen.query_one("#login-login", Input)
        key_box = screen.query_one("#login-key", Input)
        # Stop before the final Enter to look at the fields as filled.
        burst(app, [*typed(DEMO_LOGIN), between, *typed(DEMO_KEY)])
        for _ in range(20):
            await pilot.pause()
        assert login_box.value == DEMO_LOGIN
        assert key_box.value == DEMO_KEY and key_box.password
        assert DEMO_KEY not in login_box.value
        burst(app, ["enter"])
        for _ in range(400):
            if app.account_id is not None:
                break
            await pilot.pause(0.01)
        assert app.account_id == f"{settings.base_url}|{DEMO_LOGIN}"


async def test_shift_tab_back_to_the_login_in_a_burst(
    settings: Settings, emulator: Emulator, json_keyring: object
) -> None:
    app = create_app(settings, transport=emulator.transport(), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await login_screen(app, pilot)
        burst(app, ["tab", *typed("sec"), "shift+tab", *typed("bob"), "tab", *typed("ret")])
        for _ in range(20):
            await pilot.pause()
        assert screen.query_one("#login-login", Input).value == "bob"
        # Back in the key field its text is selected (Textual's select-on-focus),
        # as when typed by hand: "ret" replaces "sec". Nothing went to the login.
        assert screen.query_one("#login-key", Input).value == "ret"

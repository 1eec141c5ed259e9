"""The login flow and the Account screen, driven with Textual's pilot on the emulator."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable

import keyring
from conftest import TODAY, JsonKeyring
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.settings import Settings
from illvid_tui.core.signin import store_of
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator
from illvid_tui.screens.account import AccountScreen, money_text
from illvid_tui.screens.login import LoginScreen

SIZE = (100, 30)


def real_app(settings: Settings, emulator: Emulator) -> IllvidApp:
    """The app as the CLI builds it (no credentials given) on the emulator's transport."""
    return create_app(settings, transport=emulator.transport(), today=TODAY)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers (keyring thread, requests) finish and the screen catch up."""
    for _ in range(3):
        await pilot.pause()
        # The upload poller runs for the app's whole life: wait for the others.
        busy = [w for w in pilot.app.workers if w.group != "uploads.poller"]
        if busy:  # an empty list would mean "all of them"
            await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


def shown(app: IllvidApp, selector: str) -> str:
    """The text a Static shows (its rich renderable printed without styles)."""
    content = app.screen.query_one(selector, Static).content
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(content)
    return capture.get()


async def sign_in(pilot: Pilot[None], login: str, key: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    screen.query_one("#login-login", Input).value = login
    screen.query_one("#login-key", Input).value = key
    screen.query_one("#login-key", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_login_ok_is_stored_in_the_keyring(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.connection[0] == "signed out"
        assert app.screen.query_one("#login-key", Input).password  # masked
        await sign_in(pilot, DEMO_LOGIN, DEMO_KEY)
        assert isinstance(app.screen, AccountScreen)
        assert app.account_id == f"{settings.base_url}|{DEMO_LOGIN}"
        assert "4050.00" in shown(app, "#account-fields")
        assert app.connection == ("ok", "connected")
    # The first login is the profile "default": its key in the keyring, the login in
    # profiles.toml (no key there).
    assert json_keyring.get_password("illvid-tui", "profile:default") == DEMO_KEY
    profiles = (settings.config_dir / "profiles.toml").read_text()
    assert 'login = "demo"' in profiles and DEMO_KEY not in profiles
    # The next start finds them in the keyring and asks nothing.
    again = real_app(settings, emulator)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, AccountScreen)
        assert again.account_id is not None
        await pilot.press("F")  # forget
        await settle(pilot)
    assert json_keyring.get_password("illvid-tui", "profile:default") is None


async def test_login_403_says_what_went_wrong_and_stores_nothing(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, DEMO_LOGIN, "wrong-key")
        assert isinstance(app.screen, LoginScreen)
        status = shown(app, "#login-status")
        assert "403" in status and "refused" in status
        assert app.account_id is None
        assert "wrong-key" not in status
        # Shown again by the session: the login kept, the key to type again, focused.
        assert app.screen.query_one("#login-login", Input).value == DEMO_LOGIN
        assert app.screen.query_one("#login-key", Input).value == ""
        assert app.focused is app.screen.query_one("#login-key", Input)
    assert not json_keyring.path.exists()


async def test_no_keyring_backend_keeps_the_key_for_the_session(
    settings: Settings, emulator: Emulator, no_keyring: None
) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        note = shown(app, "#login-note")
        assert "session only" in note
        assert "ILLVID_API_KEY" in note and "PYTHON_KEYRING_BACKEND" in note
        assert app.screen.query_one("#login-plain", Checkbox).display
        await sign_in(pilot, DEMO_LOGIN, DEMO_KEY)
        assert isinstance(app.screen, AccountScreen)
        assert any("session only" in n.message for n in app._notifications)
    assert not store_of(settings).plain_file("default").exists()


async def test_plain_file_only_when_asked_and_0600(
    settings: Settings, emulator: Emulator, no_keyring: None
) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#login-plain", Checkbox).value = True
        await sign_in(pilot, DEMO_LOGIN, DEMO_KEY)
        assert any("plain file" in n.message for n in app._notifications)
    path = store_of(settings).plain_file("default")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Next start: no keyring, but the file the user chose is found.
    again = real_app(settings, emulator)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, AccountScreen)
        assert again.login == DEMO_LOGIN


async def test_env_credentials_skip_keyring_and_login(
    settings: Settings, emulator: Emulator, no_keyring: None, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("ILLVID_API_KEY", DEMO_KEY)
    monkeypatch.setenv("ILLVID_API_LOGIN", DEMO_LOGIN)
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "4050.00" in shown(app, "#account-fields")


async def test_account_shows_every_field_and_refreshes(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        fields = shown(app, "#account-fields")
        for text in ("demo", "4050.00", "demo@example.com", "Premium expire", "Files total",
                     "https://s22.illvid.com/upload/01"):  # fmt: skip
            assert text in fields
        assert "Last refreshed: 2026-11-27 12:00:00" in shown(app, "#account-refreshed")
        emulator.account["money"] = "12.50"
        emulator.account["vip_level"] = "gold"
        calls = sum(1 for r in emulator.requests if r.op == "account_info")
        await pilot.press("r")
        await settle(pilot)
        assert sum(1 for r in emulator.requests if r.op == "account_info") == calls + 1
        fields = shown(app, "#account-fields")
        assert "12.50" in fields and "Vip level" in fields and "gold" in fields


async def test_403_is_shown_in_place_with_the_next_step(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        emulator.fail_next("account_info", 403)
        await pilot.press("r")
        await settle(pilot)
        problem = shown(app, "#account-problem")
        assert "Permission denied (403)" in problem and "Press k" in problem
        assert "4050.00" in shown(app, "#account-fields")  # the last data stays
        assert app.connection == ("rejected", "credentials rejected")
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.query_one("#account-problem").has_class("shown")
        assert app.connection == ("ok", "connected")


async def test_509_waits_then_recovers(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.client is not None
        app.client.backoff_base = 0.001  # no real waiting in tests
        seen: list[tuple[str, str]] = []
        app.client.listeners.append(lambda _event: seen.append(app.connection))
        emulator.fail_next("account_info", 509, count=2)
        await pilot.press("r")
        await settle(pilot)
        retrying = [d for s, d in seen if s == "retrying"]
        assert retrying and retrying[0].startswith("bandwidth exceeded (509), retrying in")
        assert app.connection == ("ok", "connected")
        assert not app.screen.query_one("#account-problem").has_class("shown")


async def test_509_after_all_retries_says_to_wait(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.client is not None
        app.client.backoff_base = 0.001
        emulator.fail_next("account_info", 509, count=10)
        await pilot.press("r")
        await settle(pilot)
        problem = shown(app, "#account-problem")
        assert "Bandwidth exceeded (509)" in problem and "busy" in problem


def test_money_is_decimal_text() -> None:
    from decimal import Decimal

    assert money_text(Decimal("4050.00")) == "4050.00"
    assert money_text(Decimal("0.10")) == "0.10"
    assert money_text(None) == "—"
    assert keyring.get_keyring() is not None

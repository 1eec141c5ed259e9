"""How the profiles screen and the add-profile login screen look (80x24 and 120x30)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conftest import TODAY, JsonKeyring
from test_snapshots_app import settled
from textual.pilot import Pilot

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.profiles import Profile
from illvid_tui.core.settings import Settings
from illvid_tui.core.signin import save_profile, store_of
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

SnapCompare = Callable[..., bool]


def three_profiles(settings: Settings, emulator: Emulator) -> IllvidApp:
    emulator.add_account("client-2", "client-2-key")
    store = store_of(settings)
    url = settings.base_url
    save_profile(store, Profile("client-2", url, "client-2"), Credentials("c", "client-2-key"))
    store.put(Profile("staging", "https://staging.example/api", "smith"))
    save_profile(store, Profile("main", url, DEMO_LOGIN), Credentials(DEMO_LOGIN, DEMO_KEY))
    return create_app(settings, transport=emulator.transport(), today=TODAY)


async def open_profiles(pilot: Pilot[Any]) -> None:
    await settled(pilot)
    await pilot.press("P")
    await settled(pilot)


def test_profiles_80x24(
    snap_compare: SnapCompare, settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    app = three_profiles(settings, emulator)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_profiles)


def test_profiles_120x30(
    snap_compare: SnapCompare, settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    app = three_profiles(settings, emulator)
    assert snap_compare(app, terminal_size=(120, 30), run_before=open_profiles)


def test_add_profile_80x24(
    snap_compare: SnapCompare, settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    async def add(pilot: Pilot[Any]) -> None:
        await open_profiles(pilot)
        await pilot.press("a")
        await settled(pilot)

    app = three_profiles(settings, emulator)
    assert snap_compare(app, terminal_size=(80, 24), run_before=add)

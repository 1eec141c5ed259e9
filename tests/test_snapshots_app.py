"""How the shell's screens look: Account, help, login (80x24 and 200x60).

Deterministic: seeded emulator, fixed today (the clock reads noon of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conftest import TODAY
from textual.pilot import Pilot

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import Emulator

SnapCompare = Callable[..., bool]


async def settled(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.group != "uploads.poller"]
        if busy:
            await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


def test_account_80x24(snap_compare: SnapCompare, make_app: Callable[..., IllvidApp]) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settled)


def test_account_200x60(snap_compare: SnapCompare, make_app: Callable[..., IllvidApp]) -> None:
    assert snap_compare(make_app(), terminal_size=(200, 60), run_before=settled)


def test_account_error_in_place_80x24(
    snap_compare: SnapCompare, make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    async def refresh_rejected(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        emulator.fail_next("account_info", 403)
        await pilot.press("r")
        await settled(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=refresh_rejected)


def test_help_80x24(snap_compare: SnapCompare, make_app: Callable[..., IllvidApp]) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=open_help)


def test_login_no_keyring_80x24(
    snap_compare: SnapCompare, settings: Settings, emulator: Emulator, no_keyring: None
) -> None:
    app = create_app(settings, transport=emulator.transport(), today=TODAY)

    async def typed(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press(*"smith", "enter", *"secret")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=typed)


def test_login_200x60(
    snap_compare: SnapCompare, settings: Settings, emulator: Emulator, json_keyring: object
) -> None:
    app = create_app(settings, transport=emulator.transport(), today=TODAY)
    assert snap_compare(app, terminal_size=(200, 60), run_before=settled)

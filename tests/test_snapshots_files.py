"""How the Files screen looks: before a check, during one (progress), after (diff, renew)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pilot_wait import until
from textual import events
from textual.pilot import Pilot

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.files import FilesScreen, PasteArea

MakeApp = Callable[..., IllvidApp]
SIZE = (80, 24)


def files_screen(pilot: Pilot[None]) -> FilesScreen:
    screen = pilot.app.screen
    assert isinstance(screen, FilesScreen)
    return screen


async def paste(pilot: Pilot[None], text: str) -> FilesScreen:
    screen = files_screen(pilot)
    # The header says "connected" in every snapshot, not whatever the race gave.
    await until(pilot, lambda: pilot.app.connection[0] == "ok")  # type: ignore[attr-defined]
    screen.query_one(PasteArea).cursor_blink = False
    pilot.app.post_message(events.Paste(text))
    await until(pilot, lambda: screen.codes.parsed is not None)
    return screen


async def check(pilot: Pilot[None]) -> FilesScreen:
    screen = files_screen(pilot)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: screen._job is not None and screen._job.is_finished)
    await pilot.pause()
    return screen


async def settle(pilot: Pilot[None]) -> None:
    pilot.app.clear_notifications()
    await pilot.pause()


def test_before_a_check(snap_compare: Any, make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(3)

    async def run_before(pilot: Pilot[None]) -> None:
        await paste(pilot, f"{codes[0]}\nhttps://illvid.com/{codes[1]}/clip.mp4 oops!\n{codes[0]}")
        await settle(pilot)

    assert snap_compare(make_app(screen="files"), terminal_size=SIZE, run_before=run_before)


def test_during_a_check(snap_compare: Any, make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(500)
    for code in codes[::50]:
        emulator.delete_file(code)
    answer = emulator._answer
    held = asyncio.Event()  # never set: the third batch stays in flight

    async def gated(method: str, op: str | None, params: dict[str, str]) -> Any:
        if op == "check_files" and codes[250] in params.get("list", ""):
            await held.wait()
        return await answer(method, op, params)

    emulator._answer = gated  # type: ignore[method-assign]

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await paste(pilot, "\n".join(codes))
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen._run is not None and screen._run.batches_done == 4)
        await settle(pilot)

    assert snap_compare(make_app(screen="files"), terminal_size=SIZE, run_before=run_before)


def test_after_checks_and_a_renewal(
    snap_compare: Any, make_app: MakeApp, emulator: Emulator
) -> None:
    codes = emulator.add_files(12)
    back = codes[2]
    saved = emulator.files[back]
    emulator.delete_file(back)

    async def run_before(pilot: Pilot[None]) -> None:
        await paste(pilot, " ".join(codes) + " nope")
        await check(pilot)
        emulator.files[back] = saved
        emulator.delete_file(codes[5])
        screen = await check(pilot)
        emulator.delete_file(codes[7])  # gone since the check: its renewal fails (404)
        screen.table.move_cursor(codes[6])
        await pilot.press("space", "down", "space", "n")
        await until(pilot, lambda: screen._job is not None and screen._job.is_finished)
        await settle(pilot)

    assert snap_compare(make_app(screen="files"), terminal_size=SIZE, run_before=run_before)

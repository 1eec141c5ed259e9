"""How the Uploads screen looks: a queue in every state, the add dialog, the empty state.

The emulator's clock is frozen (jobs move only with `advance`) and the app's
`now` is fixed, so every run draws the same picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY
from textual.pilot import Pilot
from textual.widgets import TextArea

from illvid_tui.app import IllvidApp
from illvid_tui.app.demo import create_demo_app
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import Emulator
from illvid_tui.screens.add_urls import AddUrlsScreen


def frozen_app(tmp_path: Path) -> tuple[IllvidApp, Emulator]:
    emu = Emulator(seed=1, today=TODAY, clock=lambda: 0.0)
    settings = Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api", start_screen="uploads")
    return create_demo_app(settings, emulator=emu, today=TODAY), emu


async def fill_queue(app: IllvidApp, emu: Emulator) -> None:
    """Jobs in every state: done, failed, running, queued, unknown."""
    poller = app.poller
    assert poller is not None
    poller.pause()  # the picture must not depend on when the app's own loop polls
    emu.upload_seconds = 6.0
    # One send at a time: rows take their place as their queue ids come.
    await poller.send(
        ["https://cdn.example.com/videos/holiday-2026-lisbon-full-length-4k.mp4"], "travel"
    )
    await poller.send(["https://fail.example.com/missing/concert.mkv"], "travel")
    await poller.send(["https://media.example.org/drone/timelapse-alps.webm"])
    emu.advance(60)
    await poller.cycle(force=True)
    emu.upload_seconds = 1000.0
    await poller.send(["https://cdn.example.com/videos/wedding-oslo.mp4"], "family")
    await poller.send(["https://cdn.example.com/videos/surf-madeira.mov"])
    emu.advance(300)
    await poller.cycle(force=True)
    await poller.send(["https://cdn.example.com/videos/just-added.mp4"])
    emu.fail_next("upload_url", 500)
    await poller.send(["https://slow.example.net/lecture-recording.mp4"])
    app.clear_notifications()
    poller.resume()  # the emulator's clock is frozen: polling changes nothing now


def test_queue_in_every_state(snap_compare: Any, tmp_path: Path) -> None:
    app, emu = frozen_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await fill_queue(app, emu)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_queue_small_terminal_failed_filter(snap_compare: Any, tmp_path: Path) -> None:
    app, emu = frozen_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await fill_queue(app, emu)
        await pilot.press("f", "f", "f")  # failed only
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_add_dialog_lists_refused_lines(snap_compare: Any, tmp_path: Path) -> None:
    app, emu = frozen_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AddUrlsScreen)
        lines = [
            "https://cdn.example.com/videos/a.mp4",
            "ftp://files.example.com/b.mp4",
            "www.example.com/c.mp4",
            "https://cdn.example.com/videos/a.mp4",
            "https://cdn.example.com/videos/d.mp4",
        ]
        dialog.query_one("#add-urls", TextArea).load_text("\n".join(lines))
        dialog._recheck()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_empty_state(snap_compare: Any, tmp_path: Path) -> None:
    app, _ = frozen_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        # The header says "connected" once the app's start-up account_info is in.
        for _ in range(1000):
            if app.account_id is not None:
                break
            await pilot.pause(0.005)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_queue_no_color_200x60(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app, emu = frozen_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await fill_queue(app, emu)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(200, 60), run_before=run_before)

"""Renewing from the DMCA screen: many files ask first, show progress, stop on Esc."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from pilot_wait import until
from textual.pilot import Pilot
from textual.widgets import Input, Static

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dialogs.confirm import ConfirmScreen
from illvid_tui.screens.dialogs.path import PathDialog
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.screens.dmca_rows import RENEWING
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]


def dmca_screen(app: IllvidApp) -> DmcaScreen:
    screen = app.screen
    assert isinstance(screen, DmcaScreen)
    return screen


def status_of(screen: DmcaScreen) -> str:
    return str(screen.query_one("#dmca-status", Static).render())


def renews_sent(emulator: Emulator) -> int:
    return len([r for r in emulator.requests if r.op == "file_renew"])


async def loaded(app: IllvidApp, pilot: Pilot[None], count: int) -> DmcaScreen:
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, DmcaScreen)
            and app.screen.table.total_count == count
            and not app.screen._loading
        ),
        "the notices",
    )
    return dmca_screen(app)


async def test_renewing_all_shown_asks_first_and_no_starts_nothing(
    make_app: MakeApp, emulator: Emulator
) -> None:
    emulator.set_dmca(200)
    app = make_app("dmca")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot, 200)
        await pilot.press("a", "n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Renew 200 files?")
        assert renews_sent(emulator) == 0
        await pilot.press("n")  # No
        await pilot.pause()
        screen = dmca_screen(app)
        assert renews_sent(emulator) == 0 and not screen.renewing
        assert all(
            row["result"] is None
            for row in map(screen.table.get_row, screen.table.visible_keys())
            if row
        )


async def test_a_long_renewal_shows_progress_and_esc_stops_it_keeping_what_is_done(
    make_app: MakeApp, emulator: Emulator
) -> None:
    emulator.set_dmca(200)
    emulator.faults.latency = 0.05  # 200 renewals, 4 at a time: 2.5 s if not stopped
    app = make_app("dmca")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(app, pilot, 200)
        table = screen.query_one(FastTable)
        await pilot.press("a", "n")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: renews_sent(emulator) >= 12, "a few renewals")
        await until(pilot, lambda: status_of(screen).startswith("Renewing "), "the progress")
        assert status_of(screen).endswith("· Esc stops")
        await pilot.press("escape")
        await until(pilot, lambda: not screen.renewing, "the stop")
        await pilot.pause()
        sent = renews_sent(emulator)
        assert 12 <= sent < 200
        cells = [table.get_row(k)["result"] for k in table.visible_keys()]  # type: ignore[index]
        done = [c for c in cells if c is not None]
        # What was answered stays shown; nothing is left "renewing".
        assert done and all(c is not RENEWING for c in cells)
        assert len(done) <= sent and len(done) >= sent - 4  # at most 4 were in flight
        assert status_of(screen).startswith("200 notices")
        await pilot.pause(0.1)
        assert renews_sent(emulator) <= sent + 4  # stopped: no new requests go out


async def test_the_csv_says_renew_results_in_plain_words(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path
) -> None:
    app = make_app("dmca")
    target = tmp_path / "dmca.csv"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(app, pilot, len(emulator.dmca))
        table = screen.table
        today = app.today().isoformat()
        live = [
            k
            for k in table.visible_keys()
            if k in emulator.files and table.get_row(k)["expires"] >= today  # type: ignore[index]
        ]
        kept, gone = live[0], live[1]
        emulator.delete_file(gone)
        for key in (kept, gone):
            table.move_cursor(key)
            await pilot.press("space")
        await pilot.press("n")
        await until(pilot, lambda: renews_sent(emulator) == 2 and not screen.renewing, "renew")
        await pilot.press("escape")  # clear the marks
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, target.exists, "the export")
        await pilot.pause()
    with target.open(newline="", encoding="utf-8") as handle:
        results = {row[0]: row[4] for row in csv.reader(handle)}
    assert results[kept] == "renewed"
    assert results[gone] == "failed: Not found (404)"

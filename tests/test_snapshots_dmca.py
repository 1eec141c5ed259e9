"""How the DMCA screen looks: 80x24 and 120x40, fixed today, seeded emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dmca import DmcaScreen

MakeApp = Callable[..., IllvidApp]


async def loaded(pilot: Pilot[Any]) -> None:
    """Until the DMCA screen's own workers are done (app services never finish)."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        mine = [w for w in app.workers if isinstance(w.node, DmcaScreen)]
        if mine:
            await app.workers.wait_for_complete(mine)
    await pilot.pause()


def test_dmca_80x24(snap_compare: Any, make_app: MakeApp) -> None:
    assert snap_compare(make_app("dmca"), terminal_size=(80, 24), run_before=loaded)


def test_dmca_120x40_sorted_marked_renewed(
    snap_compare: Any, make_app: MakeApp, emulator: Emulator
) -> None:
    emulator.faults.renew_result_object = True  # one answer shape: nothing random on screen

    async def act(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DmcaScreen)
        table = screen.table
        table.sort_by("days")
        keys = table.visible_keys()
        # A file the account no longer has (404) next to ones that renew.
        live = [k for k in keys if k in emulator.files and table.get_row(k)["days"].days >= 0]  # type: ignore[index]
        emulator.delete_file(live[1])
        table.move_cursor(live[0])
        await pilot.press("space")
        table.move_cursor(live[1])
        await pilot.press("space", "n")
        await loaded(pilot)
        # The renew toast says how it went; it would time out mid-snapshot otherwise.
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app("dmca"), terminal_size=(120, 40), run_before=act)


def test_dmca_invalid_date_80x24(snap_compare: Any, make_app: MakeApp) -> None:
    async def act(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("d", *"2026-13-01", "enter")
        await pilot.pause()

    assert snap_compare(make_app("dmca"), terminal_size=(80, 24), run_before=act)


def test_dmca_search_no_color_80x24(
    snap_compare: Any, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def act(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("slash", "a", "enter")

    assert snap_compare(make_app("dmca"), terminal_size=(80, 24), run_before=act)

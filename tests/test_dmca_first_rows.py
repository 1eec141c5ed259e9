"""Opening DMCA on a long list: the request goes out first, the newest rows show early."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pilot_wait import until
from textual.widgets import Static

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]


async def test_the_newest_notices_show_while_the_rest_is_read(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.set_dmca(5000)  # ~420 KB: a long answer
    seen: list[tuple[int, str]] = []
    show_first = DmcaScreen._show_first

    def spy(screen: DmcaScreen, *args: Any) -> None:
        show_first(screen, *args)
        if screen.is_mounted:
            status = str(screen.query_one("#dmca-status", Static).render())
            seen.append((screen.table.total_count, status))

    monkeypatch.setattr(DmcaScreen, "_show_first", spy)
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        table = screen.query_one(FastTable)
        for _ in range(1000):
            if table.total_count == 5000 and not screen._loading:
                break
            await pilot.pause(0.01)
        newest = max(n["dmca_created"] for n in emulator.dmca)
        assert seen == [(100, "⟳ the 100 newest notices shown, loading the rest…")]
        first = table.get_row(table.visible_keys()[0])
        assert first is not None and first["created"] == newest
        assert table.total_count == 5000


async def test_a_preview_never_replaces_rows_already_shown(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        await until(pilot, lambda: not screen._loading and screen.table.total_count > 0, "rows")
        shown = screen.table.total_count
        assert shown > 3
        screen.reload()
        screen._show_first(screen._generation, [])
        assert screen.table.total_count == shown


async def test_the_request_goes_out_before_the_screen_is_built(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Building and styling a screen takes Textual 0.1-0.2 s: the answer travels meanwhile.
    asked_at_mount: list[int] = []
    on_mount = DmcaScreen.on_mount

    def spy(screen: DmcaScreen) -> None:
        asked_at_mount.append(screen._generation)
        on_mount(screen)

    monkeypatch.setattr(DmcaScreen, "on_mount", spy)
    app = make_app("account")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: getattr(app, "account_id", None) is not None, "the account")
        await pilot.press("4")
        await pilot.pause()
        assert asked_at_mount == [1]
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        await until(pilot, lambda: not screen._loading, "the answer")
        assert screen.table.total_count == len(emulator.dmca)
        assert len([r for r in emulator.requests if r.op == "files_dmca"]) == 1

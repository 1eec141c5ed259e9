"""Opening a section the first time: no stylesheet re-parse, and themes still reach it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.css.stylesheet import Stylesheet

from illvid_tui.app import IllvidApp
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]


async def test_a_first_opening_reparses_no_stylesheet(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each full re-parse froze the loop 50-80 ms; Textual did two per new section.
    app = make_app("account")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        reparses: list[object] = []
        real = Stylesheet.reparse

        def counting(sheet: Stylesheet) -> None:
            reparses.append(sheet)
            real(sheet)

        monkeypatch.setattr(Stylesheet, "reparse", counting)
        for key in "234":
            await pilot.press(key)
            await pilot.pause()
        assert app.current_mode == "dmca"
        assert reparses == []


async def test_a_theme_set_before_or_after_opening_reaches_the_section(
    make_app: MakeApp,
) -> None:
    app = make_app("account")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        table = app.screen.query_one(FastTable)
        assert table.styles.background.brightness > 0.5
        app.theme = "textual-dark"
        await pilot.pause()
        await pilot.pause()
        assert table.styles.background.brightness < 0.5

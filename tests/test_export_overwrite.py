"""Exports never replace an existing file without asking."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from illvid_tui.screens.dialogs.confirm import ConfirmScreen
from illvid_tui.screens.dialogs.path import PathDialog


async def test_an_existing_file_is_replaced_only_after_a_yes(tmp_path: Path) -> None:
    target = tmp_path / "dmca.csv"
    target.write_text("the user's own data\n")
    results: list[Path | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PathDialog("Export CSV", str(target)), results.append)

    app = Host()
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == f"{target} exists. Replace it?"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog) and results == []  # still open, nothing chosen
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert results == [target]
    assert target.read_text() == "the user's own data\n"  # the dialog itself writes nothing


async def test_a_new_file_needs_no_question(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    results: list[Path | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PathDialog("Export CSV", str(target)), results.append)

    app = Host()
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert results == [target]

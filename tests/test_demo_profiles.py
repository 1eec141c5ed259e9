"""`--demo` has profiles: accounts on its emulator, switched, renamed, removed, added, in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, JsonKeyring
from test_account import SIZE, settle, shown
from test_profiles_app import header_of, open_profiles, profile_rows, rows_shown, switch_to
from test_uploads_screen import queue
from textual.widgets import DataTable, Input

from illvid_tui.app.demo import DEMO_PROFILES, create_demo_app
from illvid_tui.core.profiles import FILE_NAME
from illvid_tui.emulator.demo import SEED_CODES
from illvid_tui.main import parse
from illvid_tui.screens.profiles import ProfilesScreen
from illvid_tui.widgets.table import FastTable


@pytest.fixture
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty XDG config, state and data dirs under tmp_path (where a real run keeps its files)."""
    home = tmp_path / "home"
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(f"XDG_{name}_HOME", str(folder))
    for name in ("ILLVID_API_KEY", "ILLVID_API_LOGIN", "ILLVID_PROFILE", "ILLVID_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


async def test_the_demo_lists_its_profiles_and_switches_to_another_account(
    user_dirs: Path, json_keyring: JsonKeyring
) -> None:
    app = create_demo_app(parse(["--demo", "--screen", "dmca"]), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.emulator is not None  # built after the first frame, as before
        assert app.profile == "demo" and "demo (demo)" in header_of(app)
        await open_profiles(pilot)
        rows = profile_rows(app)
        assert list(rows) == [name for name, *_ in DEMO_PROFILES]
        assert rows["demo"][0] == "●" and rows["studio"][4] == "stored"
        await pilot.press("escape")

        await switch_to(pilot, "studio")
        studio = app.emulator.accounts["studio-key-not-secret"]
        assert app.profile == "studio" and app.account_id == f"{app.settings.base_url}|studio"
        assert "studio (studio)" in header_of(app) and "demo" not in header_of(app)
        # The DMCA list is the studio account's now (its own seeded notices).
        table = app.screen.query_one("#dmca-table", FastTable)
        assert table.total_count == len(studio.dmca)
        shown_codes = set(table.visible_keys())
        assert shown_codes <= set(studio.files) and not shown_codes & set(app.emulator.files)
        assert not set(SEED_CODES) & set(studio.files)  # a code is unique on a server
        await pilot.press("1")
        await settle(pilot)
        assert "studio@example.com" in shown(app, "#account-fields")
        assert "812.40" in shown(app, "#account-fields")
    # Nothing of the demo went to the user's folders or keyring.
    assert not (user_dirs / "config" / "illvid-tui" / FILE_NAME).exists()
    assert files_under(user_dirs / "config") == []
    assert json_keyring._entries() == {}


async def test_each_demo_profile_keeps_its_own_upload_queue(
    user_dirs: Path, json_keyring: JsonKeyring
) -> None:
    app = create_demo_app(parse(["--demo", "--screen", "uploads"]), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.emulator is not None
        await queue(pilot, "https://a.example/demo-1.mp4")
        assert rows_shown(app) == 1
        await switch_to(pilot, "archive")
        assert app.profile == "archive" and rows_shown(app) == 0
        await queue(pilot, "https://a.example/archive-1.mp4")
        archive = app.emulator.accounts["archive-key-not-secret"]
        assert [j.url for j in archive.jobs.values()] == ["https://a.example/archive-1.mp4"]
        assert [j.url for j in app.emulator.jobs.values()] == ["https://a.example/demo-1.mp4"]
        assert app.poller is not None
        assert [j.url for j in app.poller.jobs.values()] == ["https://a.example/archive-1.mp4"]
        await switch_to(pilot, "demo")
        assert rows_shown(app) == 1 and "demo (demo)" in header_of(app)
    assert files_under(user_dirs / "config") == [] and json_keyring._entries() == {}


async def test_renaming_removing_and_adding_demo_profiles_stay_in_memory(
    user_dirs: Path, json_keyring: JsonKeyring
) -> None:
    app = create_demo_app(parse(["--demo"]), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_profiles(pilot)
        app.rename_profile("demo", "mine")
        await settle(pilot)
        assert app.profile == "mine" and "mine (demo)" in header_of(app)
        assert list(profile_rows(app)) == ["mine", "studio", "archive"]

        app.remove_profile("mine")  # in use: refused
        await settle(pilot)
        assert "mine" in profile_rows(app)
        app.remove_profile("archive")
        await settle(pilot)
        assert list(profile_rows(app)) == ["mine", "studio"]

        await pilot.press("a")  # adds an account on the emulator and switches to it
        await settle(pilot)
        assert app.profile == "demo-4" and app.account_id == f"{app.settings.base_url}|demo-4"
        assert app.emulator is not None and "demo-4-key-not-secret" in app.emulator.accounts
        assert isinstance(app.screen, ProfilesScreen) and app.screen is screen
        assert list(profile_rows(app)) == ["mine", "studio", "demo-4"]
        assert "demo-4 (demo-4)" in header_of(app)
    assert files_under(user_dirs / "config") == [] and json_keyring._entries() == {}


async def test_the_cursor_stays_on_a_profile_renamed_on_the_screen(
    user_dirs: Path, json_keyring: JsonKeyring
) -> None:
    app = create_demo_app(parse(["--demo"]), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_profiles(pilot)
        table = screen.query_one("#profiles-table", DataTable)
        await pilot.press("down", "down", "r")  # archive, not the one in use
        await settle(pilot)
        app.screen.query_one(Input).value = "old-stuff"
        await pilot.press("enter")
        await settle(pilot)
        assert list(profile_rows(app)) == ["demo", "studio", "old-stuff"]
        assert table.cursor_row == 2 and app.profile == "demo"

"""One behaviour on every table screen (Uploads, Files, DMCA): search, sort, Esc, position.

Each rule runs on each of the three screens, through the keys a user presses.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_wait import until
from textual.pilot import Pilot
from textual.widgets import Input

from illvid_tui.app import IllvidApp
from illvid_tui.emulator import Emulator
from illvid_tui.screens.table_screen import TableScreen
from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.table.position import TablePosition, position_text

MakeApp = Callable[..., IllvidApp]
SCREENS = ["uploads", "files", "dmca"]
#: Short enough that 40 rows scroll.
SIZE = (100, 20)
ROWS = 40


def screen_of(app: IllvidApp) -> TableScreen:
    screen = app.screen
    assert isinstance(screen, TableScreen)
    return screen


def table_of(app: IllvidApp) -> FastTable:
    return screen_of(app).table


def position_of(app: IllvidApp) -> str:
    return screen_of(app).query_one(TablePosition).text


async def filled(app: IllvidApp, pilot: Pilot[None], name: str, emulator: Emulator) -> FastTable:
    """Open section `name` with ROWS rows in its table, as a user would get them there."""
    await until(pilot, lambda: app.account_id is not None, "the account")
    if name == "uploads":
        await until(pilot, lambda: app.poller is not None, "the poller")
        assert app.poller is not None
        await app.poller.send([f"https://cdn.example.com/v/clip-{i:02}.mp4" for i in range(ROWS)])
    elif name == "files":
        from textual import events

        codes = list(emulator.files)[: ROWS - 5] + [f"zzmissing{i:03}" for i in range(5)]
        app.post_message(events.Paste("\n".join(codes)))
        await pilot.pause()
        screen = app.screen
        await until(pilot, lambda: screen.codes.parsed is not None, "the parse")  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")
        await until(pilot, lambda: table_of(app).row_count == ROWS, "the check")
        await until(
            pilot,
            lambda: screen._job is not None and screen._job.is_finished,  # type: ignore[attr-defined]
            "the check's end",
        )
    table = table_of(app)
    await until(pilot, lambda: table.row_count == ROWS, f"{ROWS} rows")
    await table.view_ready()
    await pilot.pause()
    table.focus()
    await pilot.pause()
    return table


@pytest.fixture
def dmca_rows(emulator: Emulator) -> None:
    """ROWS notices on the server (the demo has about 25)."""
    notices = emulator.dmca
    while len(notices) < ROWS:
        notices.append(dict(notices[len(notices) % 25], file_code=f"extra{len(notices):07}"))
    del notices[ROWS:]


def needle_for(table: FastTable, name: str) -> tuple[str, set[str]]:
    """A search that matches several rows but not the last one, and the rows it matches."""
    keys = table.visible_keys()
    if name == "uploads":
        return "clip-1", {k for k in keys if "clip-1" in str(table.get_row(k)["url"])}  # type: ignore[index]
    code = keys[1]
    return code[:1], {k for k in keys if code[:1].lower() in k.lower()}


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_esc_in_the_search_box_clears_it_and_returns_to_the_table(
    make_app: MakeApp, emulator: Emulator, name: str
) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        needle, _ = needle_for(table, name)
        await pilot.press("slash", *needle)
        await table.view_ready()
        assert isinstance(app.focused, Input) and app.focused.value == needle
        assert table.row_count < ROWS
        await pilot.press("escape")
        await table.view_ready()
        await pilot.pause()
        assert app.focused is table
        assert screen_of(app).search_box.value == ""
        assert table.row_count == ROWS


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_esc_on_the_table_clears_the_search_first_then_the_marks(
    make_app: MakeApp, emulator: Emulator, name: str
) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        needle, matches = needle_for(table, name)
        await pilot.press("slash", *needle, "enter")
        await table.view_ready()
        assert app.focused is table
        await pilot.press("space")  # mark the cursor row
        assert len(table.marked) == 1
        await pilot.press("escape")
        await table.view_ready()
        await pilot.pause()
        assert table.row_count == ROWS  # the search went first
        assert len(table.marked) == 1
        await pilot.press("escape")
        assert table.marked == frozenset()


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_after_a_sort_the_view_starts_at_the_first_row(
    make_app: MakeApp, emulator: Emulator, name: str
) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        for key in ("s", "S"):
            await pilot.press("end")
            assert table.scroll_offset.y > 0
            await pilot.press(key)
            await table.view_ready()
            await pilot.pause()
            assert table.cursor_index == 0, key
            assert table.scroll_offset.y == 0, key
            assert table.cursor_key == table.visible_keys()[0]


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_after_a_search_the_view_starts_at_the_first_match(
    make_app: MakeApp, emulator: Emulator, name: str
) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        needle, matches = needle_for(table, name)
        await pilot.press("end")
        last = table.cursor_key
        assert last not in matches and 1 < len(matches) < ROWS
        await pilot.press("slash", *needle, "enter")
        await table.view_ready()
        await pilot.pause()
        assert set(table.visible_keys()) == matches
        assert table.cursor_index == 0
        assert table.scroll_offset.y == 0


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_a_big_table_starts_at_the_first_row_when_its_thread_view_arrives(
    make_app: MakeApp, emulator: Emulator, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From BACKGROUND_ROWS rows, views are computed in a thread and shown when ready.
    monkeypatch.setattr(FastTable, "BACKGROUND_ROWS", 10)
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        needle, matches = needle_for(table, name)
        await pilot.press("end", "slash", *needle, "enter")
        await table.view_ready()
        await pilot.pause()
        assert set(table.visible_keys()) == matches
        assert (table.cursor_index, table.scroll_offset.y) == (0, 0)
        await pilot.press("escape", "end", "s")
        await table.view_ready()
        await pilot.pause()
        assert (table.cursor_index, table.scroll_offset.y) == (0, 0)


@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.usefixtures("dmca_rows")
async def test_each_table_shows_its_position_and_size(
    make_app: MakeApp, emulator: Emulator, name: str
) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        table = await filled(app, pilot, name, emulator)
        await pilot.press("home")
        await pilot.pause()
        assert position_of(app) == f"row 1 of {ROWS}"
        await pilot.press("down", "down")
        await pilot.pause()
        assert position_of(app) == f"row 3 of {ROWS}"
        needle, matches = needle_for(table, name)
        await pilot.press("slash", *needle, "enter")
        await table.view_ready()
        await pilot.pause()
        assert position_of(app) == f"row 1 of {len(matches)} · {ROWS} in all"


def test_position_text_reads_like_a_sentence() -> None:
    assert position_text(1203, 50_000, 50_000) == "row 1,204 of 50,000"
    assert position_text(0, 12, 50_000) == "row 1 of 12 · 50,000 in all"
    assert position_text(0, 0, 50_000) == "no row shown · 50,000 in all"
    assert position_text(0, 0, 0) == ""

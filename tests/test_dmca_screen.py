"""The DMCA screen: filters reach the server, stale answers are dropped, rows act."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from illvid_tui.api.models import parse_dmca_list
from illvid_tui.app import IllvidApp
from illvid_tui.core import dmca
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dialogs.path import PathDialog
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.screens.dmca_rows import prepare_rows
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]


# -- pure parts ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-11-01", " 2024-02-29 ", "2026-01-31"])
def test_date_filter_accepts_real_dates(text: str) -> None:
    assert dmca.parse_date_filter(text) == text.strip()


def test_date_filter_empty_means_none() -> None:
    assert dmca.parse_date_filter("   ") is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-1-1", "YYYY-MM-DD"),
        ("01.02.2026", "YYYY-MM-DD"),
        ("20261101", "YYYY-MM-DD"),
        ("2026-11-01x", "YYYY-MM-DD"),
        ("2026-02-30", "not a calendar date"),
        ("2025-02-29", "not a calendar date"),
    ],
)
def test_date_filter_refuses_the_rest(text: str, reason: str) -> None:
    with pytest.raises(dmca.DateFilterError, match=reason):
        dmca.parse_date_filter(text)


@pytest.mark.parametrize(
    ("today", "expires", "days", "shown"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 1), 1, "! 1 day"),
        (dt.date(2026, 2, 1), dt.date(2026, 1, 31), -1, "✗ 1d ago"),
        (dt.date(2026, 2, 28), dt.date(2026, 3, 1), 1, "! 1 day"),  # not a leap year
        (dt.date(2028, 2, 28), dt.date(2028, 3, 1), 2, "! 2 days"),  # leap year: Feb 29
        (dt.date(2026, 12, 31), dt.date(2027, 1, 3), 3, "! 3 days"),
        (dt.date(2026, 11, 27), dt.date(2026, 12, 1), 4, "  4 days"),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 27), 0, "! today"),
        (dt.date(2026, 3, 31), dt.date(2026, 3, 1), -30, "✗ 30d ago"),
    ],
)
def test_days_left_across_month_ends(
    today: dt.date, expires: dt.date, days: int, shown: str
) -> None:
    assert dmca.days_left(expires, today) == days
    assert dmca.format_days(days) == shown


def test_unknown_expiry_reads_as_unknown() -> None:
    assert dmca.days_left(None, dt.date(2026, 1, 1)) is None
    assert dmca.format_days(None) == "? unknown"


def test_prepare_rows_shares_cells_counts_totals_and_keys_duplicates() -> None:
    raw = [
        {"file_code": "aaa111bbb222", "dmca_created": "2026-01-20", "dmca_expire": "2026-02-01"},
        {"file_code": "ccc333ddd444", "dmca_created": "2026-01-20", "dmca_expire": "2026-02-01"},
        {"file_code": "aaa111bbb222", "dmca_created": "2026-01-21", "dmca_expire": "2026-01-30"},
        {"file_code": "eee555fff666", "dmca_created": "2026-01-21", "dmca_expire": "2026-03-30"},
    ]
    prepared = prepare_rows(parse_dmca_list(raw), dt.date(2026, 1, 31), {})
    keys = [key for key, _ in prepared.rows]
    assert keys == ["aaa111bbb222", "ccc333ddd444", "aaa111bbb222#2", "eee555fff666"]
    first, second = prepared.rows[0][1], prepared.rows[1][1]
    assert first["days"] is second["days"]  # one cell per expiry date
    assert first["days"].plain == "! 1 day"
    assert prepared.rows[2][1]["code"] == "aaa111bbb222"
    assert prepared.more_keys == {"aaa111bbb222": ["aaa111bbb222#2"]}
    assert prepared.totals == dmca.Totals(notices=4, soon=2, expired=1)


# -- the screen ----------------------------------------------------------------------


async def settle(app: IllvidApp, pilot: Pilot[None]) -> None:
    """Let the DMCA screen's workers finish and the screen catch up (no sleeping).

    Only this screen's workers: app-wide services (the upload poller) never finish.
    """
    for _ in range(3):
        await pilot.pause()
        mine = [w for w in app.workers if isinstance(w.node, (DmcaScreen, PathDialog))]
        if mine:  # an empty list would mean "all workers" to Textual
            await app.workers.wait_for_complete(mine)
    await pilot.pause()


def dmca_requests(emulator: Emulator) -> list[dict[str, str]]:
    return [r.params for r in emulator.requests if r.op == "files_dmca"]


def table_of(app: IllvidApp) -> FastTable:
    return app.screen.query_one("#dmca-table", FastTable)


def status_of(app: IllvidApp) -> str:
    return str(app.screen.query_one("#dmca-status", Static).render())


async def test_first_load_asks_order_down_without_date(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DmcaScreen)
        params = dmca_requests(emulator)
        assert len(params) == 1
        assert params[0]["order"] == "down"
        assert "date" not in params[0]
        assert table_of(app).total_count == len(emulator.dmca)
        assert status_of(app).startswith(f"{len(emulator.dmca)} notices")


async def test_date_filter_valid_reaches_the_server(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("d", *"2026-11-15", "enter")
        await settle(app, pilot)
        last = dmca_requests(emulator)[-1]
        assert last["date"] == "2026-11-15"
        assert last["order"] == "down"
        expected = [n for n in emulator.dmca if n["dmca_created"] >= "2026-11-15"]
        assert 0 < table_of(app).total_count == len(expected) < len(emulator.dmca)
        # Clearing the field means no date filter again.
        await pilot.press("d", "ctrl+u", "enter")
        await settle(app, pilot)
        assert "date" not in dmca_requests(emulator)[-1]
        assert table_of(app).total_count == len(emulator.dmca)


async def test_invalid_date_is_refused_in_place(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        before = len(dmca_requests(emulator))
        await pilot.press("d", *"2026-2-30", "enter")
        await settle(app, pilot)
        assert len(dmca_requests(emulator)) == before  # nothing sent
        assert "YYYY-MM-DD" in status_of(app)
        field = app.screen.query_one("#dmca-date", Input)
        assert field.has_class("-invalid")
        assert app.focused is field  # still there to fix
        await pilot.press("escape")  # gives up: back to the table, the old filter kept
        assert isinstance(app.focused, FastTable)
        assert field.value == ""
        assert status_of(app).endswith("expired")


async def test_order_key_toggles_up_and_down(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert dmca_requests(emulator)[-1]["order"] == "up"
        table = table_of(app)
        created = [table.get_row(k)["created"] for k in table.visible_keys()]  # type: ignore[index]
        assert created == sorted(created)
        await pilot.press("o")
        await settle(app, pilot)
        assert dmca_requests(emulator)[-1]["order"] == "down"
        created = [table.get_row(k)["created"] for k in table.visible_keys()]  # type: ignore[index]
        assert created == sorted(created, reverse=True)


async def test_a_slow_older_answer_never_overwrites_a_newer_one(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        # The older request (no date) is slow; the newer one (a date) answers at once.
        emulator.faults.slow_ops["files_dmca"] = 0.3
        screen.reload()
        await pilot.pause()
        emulator.faults.slow_ops["files_dmca"] = 0.0
        await pilot.press("d", *"2026-11-20", "enter")
        await settle(app, pilot)
        expected = {n["file_code"] for n in emulator.dmca if n["dmca_created"] >= "2026-11-20"}
        assert set(table_of(app).visible_keys()) == expected
        assert len(expected) < len(emulator.dmca)


async def test_apply_drops_an_answer_of_an_older_generation(make_app: MakeApp) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        shown = table_of(app).visible_keys()
        old = screen._generation
        screen.reload()  # a newer request; the old answer arrives late
        raw = [{"file_code": "zzz999zzz999", "dmca_created": "2026-11-01", "dmca_expire": ""}]
        assert screen.apply(old, prepare_rows(parse_dmca_list(raw), app.today(), {})) is False
        await settle(app, pilot)
        assert table_of(app).visible_keys() == shown


async def test_sort_keys_and_header_click(make_app: MakeApp) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)

        def column(name: str) -> list[object]:
            return [table.get_row(k)[name] for k in table.visible_keys()]  # type: ignore[index]

        await pilot.press("s")  # first column: file code
        assert table.sort_column == "code"
        assert column("code") == sorted(column("code"))  # type: ignore[type-var]
        await pilot.press("s", "s", "s")  # code -> notice -> expiry -> days left
        assert table.sort_column == "days"
        days = [cell.days for cell in column("days")]  # type: ignore[attr-defined]
        assert days == sorted(days)
        await pilot.press("S")
        days = [cell.days for cell in column("days")]  # type: ignore[attr-defined]
        assert days == sorted(days, reverse=True)
        # A click on the "expiry date" header sorts by it.
        x = table._layout.starts[2] + 1
        await pilot.click(table, offset=(x, 0))
        assert table.sort_column == "expires"
        expires = column("expires")
        assert expires == sorted(expires)  # type: ignore[type-var]


async def test_search_by_code_and_escape_clears(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        code = emulator.dmca[3]["file_code"]
        needle = code[2:7].upper()  # any case, any part
        await pilot.press("slash", *needle, "enter")
        table = table_of(app)
        keys = table.visible_keys()
        assert code in keys
        assert all(needle.lower() in k.lower() for k in keys)
        assert f"match {needle.lower()!r}" in status_of(app)
        assert isinstance(app.focused, FastTable)
        await pilot.press("escape")
        assert table.row_count == len(emulator.dmca)


async def test_search_on_a_big_table_counts_the_background_view(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tables this big sort and filter in a thread; the status must follow the view it installs.
    monkeypatch.setattr(FastTable, "BACKGROUND_ROWS", 10)
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        code = emulator.dmca[3]["file_code"]
        await pilot.press("slash", *code[:5], "enter")
        await table.view_ready()
        await pilot.pause()
        matches = table.row_count
        assert 1 <= matches < len(emulator.dmca)
        assert f"{matches} match {code[:5]!r}" in status_of(app)


async def test_renew_marked_rows_including_a_404(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        # Pick two rows whose files the account still has and whose notice is not expired
        # (an expired notice blocks renewing: the emulator answers 451).
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
        await settle(app, pilot)
        renewed = [r.params["file_code"] for r in emulator.requests if r.op == "file_renew"]
        assert sorted(renewed) == sorted([kept, gone])
        assert table.get_row(kept)["result"].plain == "✓ renewed"  # type: ignore[index]
        assert "Not found (404)" in table.get_row(gone)["result"].plain  # type: ignore[index]


async def test_renew_cursor_row_when_nothing_is_marked(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        key = table.cursor_key
        assert key is not None
        await pilot.press("n")
        await settle(app, pilot)
        renewed = [r.params["file_code"] for r in emulator.requests if r.op == "file_renew"]
        assert renewed == [key]
        assert table.get_row(key)["result"] is not None  # type: ignore[index]


async def test_copy_code_and_link(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app("dmca")
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        await pilot.click(table, offset=(5, 3))  # the mouse picks the third row
        key = table.cursor_key
        assert key == table.visible_keys()[2]
        await pilot.press("c", "l")
        assert copied == [key, app.file_link(key)]


async def test_export_writes_the_rows_shown(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path
) -> None:
    app = make_app("dmca")
    target = tmp_path / "dmca.csv"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == dmca.CSV_HEADER
    assert len(rows) == len(emulator.dmca) + 1
    first = rows[1]
    notice = next(n for n in emulator.dmca if n["file_code"] == first[0])
    assert first[1:3] == [notice["dmca_created"], notice["dmca_expire"]]
    expected_days = (dt.date.fromisoformat(notice["dmca_expire"]) - app.today()).days
    assert int(first[3]) == expected_days


def test_prepare_rows_reads_other_answer_shapes() -> None:
    item = {"file_code": "aaa111bbb222", "dmca_created": "2026-01-20", "dmca_expire": "2026-02-03"}
    today = dt.date(2026, 1, 31)
    wrapped = prepare_rows(parse_dmca_list({"files": [item]}), today, {})
    assert [key for key, _ in wrapped.rows] == ["aaa111bbb222"]
    assert wrapped.rows[0][1]["days"].plain == "! 3 days"
    odd = {**item, "dmca_created": ["2026-01-20"], "reason": "copyright"}
    assert prepare_rows(parse_dmca_list([odd]), today, {}).rows[0][1]["created"] is None
    assert prepare_rows(parse_dmca_list(None), today, {}).rows == []


async def test_a_failed_load_is_shown_in_place(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        rows = table_of(app).total_count
        emulator.fail_next("files_dmca", 403)
        await pilot.press("r")
        await settle(app, pilot)
        assert "Permission denied (403)" in status_of(app)
        assert table_of(app).total_count == rows  # what was shown stays


async def test_renew_results_survive_a_reload(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        key = table.cursor_key
        assert key is not None
        await pilot.press("n")
        await settle(app, pilot)
        before = table.get_row(key)["result"]  # type: ignore[index]
        await pilot.press("o")
        await settle(app, pilot)
        assert dmca_requests(emulator)[-1]["order"] == "up"
        assert table.get_row(key)["result"] is before  # type: ignore[index]


async def test_path_dialog_refuses_a_missing_folder_then_accepts(tmp_path: Path) -> None:
    from textual.app import App

    results: list[Path | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            default = str(tmp_path / "nope" / "x.csv")
            self.push_screen(PathDialog("Export CSV", default), results.append)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        error = str(app.screen.query_one("#path-error", Static).render())
        assert "does not exist" in error
        assert isinstance(app.screen, PathDialog)  # still open to fix the path
        app.screen.query_one("#path-input", Input).value = "~/x.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert results == [Path("~/x.csv").expanduser()]
        app.push_screen(PathDialog("Export CSV", "x.csv"), results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert results[-1] is None


async def test_renew_result_shows_on_every_notice_of_a_file(
    make_app: MakeApp, emulator: Emulator
) -> None:
    code = next(iter(emulator.files))
    emulator.dmca = [
        {"file_code": code, "dmca_created": "2026-11-20", "dmca_expire": "2026-12-20"},
        {"file_code": code, "dmca_created": "2026-11-21", "dmca_expire": "2026-12-21"},
    ]
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = table_of(app)
        assert sorted(table.visible_keys()) == [code, f"{code}#2"]
        await pilot.press("n")
        await settle(app, pilot)
        assert [r.params["file_code"] for r in emulator.requests if r.op == "file_renew"] == [code]
        for key in (code, f"{code}#2"):
            assert table.get_row(key)["result"].plain == "✓ renewed"  # type: ignore[index]


async def test_days_left_roll_over_at_midnight(make_app: MakeApp, emulator: Emulator) -> None:
    clock = [dt.datetime(2026, 11, 27, 23, 59)]
    app = make_app("dmca", today=None, clock=lambda: clock[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        table = table_of(app)
        key = table.visible_keys()[0]
        before = table.get_row(key)
        assert before is not None
        asked = len(dmca_requests(emulator))
        screen.roll_over_at_midnight()  # still the same day: nothing to do
        assert len(dmca_requests(emulator)) == asked
        clock[0] = dt.datetime(2026, 11, 28, 0, 1)
        screen.roll_over_at_midnight()
        await settle(app, pilot)
        assert len(dmca_requests(emulator)) == asked + 1
        after = table.get_row(key)
        assert after is not None
        assert after["days"].days == before["days"].days - 1

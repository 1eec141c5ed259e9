"""The Files screen in the running app: paste, check, cancel, diff, renew, copy, export."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pilot_wait import until
from textual import events
from textual.pilot import Pilot

from illvid_tui.api.errors import IllvidError
from illvid_tui.app import IllvidApp
from illvid_tui.core.filecheck import FileCheckStore
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dialogs.confirm import ConfirmScreen
from illvid_tui.screens.files import FilesScreen, PasteArea
from illvid_tui.widgets.path_input import PathInput, complete_path
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]


def screen_of(app: IllvidApp) -> FilesScreen:
    screen = app.screen
    assert isinstance(screen, FilesScreen)
    return screen


def text_of(app: IllvidApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def paste(app: IllvidApp, pilot: Pilot[None], text: str) -> None:
    # As a terminal does: the app receives the paste and hands it to the focused widget.
    app.post_message(events.Paste(text))
    await until(pilot, lambda: screen_of(app).codes.parsed is not None, "the parse")


async def check(app: IllvidApp, pilot: Pilot[None]) -> FilesScreen:
    screen = screen_of(app)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: screen._job is not None and screen._job.is_finished, "the check")
    await pilot.pause()
    return screen


def status(table: FastTable, code: str) -> str:
    row = table.get_row(code)
    assert row is not None
    return str(row["status"])


async def test_paste_with_links_junk_and_duplicates(make_app: MakeApp, emulator: Emulator) -> None:
    known = list(emulator.files)[:3]
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = (
            f"{known[0]}, https://illvid.com/{known[1]}/clip.mp4\n"
            f"{known[0]} hello! abc\n"
            f"illvid.com/{known[2]} https://illvid.com/{known[0]}\n"
        )
        await paste(app, pilot, text)
        assert (
            text_of(app, "#files-parsed")
            == "3 codes (2 from links), 2 duplicates merged, 2 left out"
        )
        rejected = text_of(app, "#files-rejected")
        assert "line 2: 'hello!'" in rejected and "'!'" in rejected
        assert "line 2: 'abc': too short" in rejected
        screen = await check(app, pilot)
        assert screen.table.visible_keys() == known
        assert text_of(app, "#files-totals").startswith("3 codes · ✓ 3 found · ✗ 0 missing")


async def test_check_of_1000_codes_with_known_missing(
    make_app: MakeApp, emulator: Emulator
) -> None:
    codes = emulator.add_files(1000)
    gone = codes[5::61]
    for code in gone:
        emulator.delete_file(code)
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        before = len(emulator.requests)
        screen = await check(app, pilot)
        table = screen.table
        assert table.total_count == 1000
        assert [c for c in codes if status(table, c) == "✗ missing"] == gone
        assert text_of(app, "#files-totals").startswith(
            f"1,000 codes · ✓ {1000 - len(gone)} found · ✗ {len(gone)} missing"
        )
        sent = [r for r in emulator.requests[before:] if r.op == "check_files"]
        assert len(sent) == 10  # batches of 100
        await pilot.press("f")  # missing only
        assert table.visible_keys() == gone
        await pilot.press("f")  # found only
        assert table.row_count == 1000 - len(gone)
        await pilot.press("slash", *codes[0][:6], "enter")
        assert table.visible_keys() == [codes[0]]
        # The last result per code is in the state DB, under this account.
        store = FileCheckStore(app.db)
        account = app.account_id or ""
        await until(pilot, lambda: len(store.load(account, codes)) == 1000, "the save")
        assert {c for c, missing in store.load(account, codes).items() if missing} == set(gone)


async def test_cancel_mid_run_keeps_results(make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(1000)
    emulator.faults.slow_ops["check_files"] = 0.3
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        screen = screen_of(app)
        await pilot.press("ctrl+r")
        await until(
            pilot, lambda: screen._run is not None and screen._run.batches_done >= 2, "2 batches"
        )
        assert not app.screen.query_one("#files-progress").has_class("hidden")
        await pilot.press("escape")
        await until(
            pilot, lambda: screen._job is not None and screen._job.is_finished, "the cancel"
        )
        run = screen._run
        assert run is not None and 2 <= run.batches_done < 10
        kept = len(run.results)
        assert kept == run.batches_done * 100
        statuses = [status(screen.table, c) for c in codes]
        assert statuses.count("✓ found") == kept
        assert statuses.count("- not checked") == 1000 - kept
        assert "Check cancelled" in text_of(app, "#files-report")
        assert f"{1000 - kept:,} not checked" in text_of(app, "#files-totals")
        assert app.screen.query_one("#files-progress").has_class("hidden")


async def test_second_run_shows_what_changed(make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(20)
    back = codes[4]
    saved = emulator.files[back]
    emulator.delete_file(back)
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, " ".join(codes))
        screen = await check(app, pilot)
        assert status(screen.table, back) == "✗ missing"
        assert str(screen.table.get_row(codes[0])["change"]) == ""  # type: ignore[index]
        emulator.files[back] = saved
        emulator.delete_file(codes[7])
        await pilot.press("r")
        await until(pilot, lambda: screen._job is not None and screen._job.is_finished, "run 2")
        await pilot.pause()
        rows = {c: screen.table.get_row(c) or {} for c in codes}
        assert str(rows[back]["change"]) == "▲ back"
        assert str(rows[codes[7]]["change"]) == "▼ newly missing"
        assert str(rows[codes[0]]["change"]) == "same"
        totals = text_of(app, "#files-totals")
        assert "▼ 1 newly missing" in totals and "▲ 1 back" in totals
        await pilot.press("f", "f", "f")  # changed only
        assert set(screen.table.visible_keys()) == {back, codes[7]}


async def test_renew_one_marked_and_all_with_a_404(make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(6)
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        screen = await check(app, pilot)
        table = screen.table

        def renew_cell(code: str) -> str:
            return str((table.get_row(code) or {})["renew"])

        async def renewed(keys: str) -> None:
            await pilot.press(*keys)
            await until(pilot, lambda: screen._job is not None and screen._job.is_finished, "renew")
            await pilot.pause()

        # One: the row under the cursor.
        table.move_cursor(codes[1])
        await renewed("n")
        assert renew_cell(codes[1]) == "✓ renewed" and renew_cell(codes[0]) == ""
        # Marked: two rows, one deleted on the server since the check (404).
        emulator.delete_file(codes[3])
        table.move_cursor(codes[2])
        await pilot.press("space", "down", "space")  # marks codes[2], codes[3]
        assert table.marked == {codes[2], codes[3]}
        await renewed("n")
        assert renew_cell(codes[2]) == "✓ renewed"
        assert renew_cell(codes[3]) == "✗ Not found (404)"
        assert "1 renewed, 1 failed: Not found (404)" in text_of(app, "#files-report")
        assert not table.marked
        # All found (by the check): six files, more than a few, so it asks first.
        before = len(emulator.requests)
        await pilot.press("N")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Renew 6 files?")
        await pilot.press("n")  # no: nothing is sent
        await pilot.pause()
        assert not [r for r in emulator.requests[before:] if r.op == "file_renew"]
        # Yes: five renewed, the deleted one fails again.
        await pilot.press("N")
        await pilot.pause()
        await renewed("y")
        sent = [r.params["file_code"] for r in emulator.requests[before:] if r.op == "file_renew"]
        assert sorted(sent) == sorted(codes)
        assert "5 renewed, 1 failed: Not found (404)" in text_of(app, "#files-report")
        failure = screen._renew[codes[3]]
        assert isinstance(failure, IllvidError) and failure.status == 404
        await pilot.press("f", "f", "f", "f")  # renew failures only
        assert table.visible_keys() == [codes[3]]


async def test_copy_missing_and_found(make_app: MakeApp, emulator: Emulator) -> None:
    codes = emulator.add_files(4)
    emulator.delete_file(codes[1])
    app = make_app(screen="files")
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        await check(app, pilot)
        await pilot.press("y", "Y", "c", "l")
        assert copied[0] == codes[1]
        assert copied[1] == "\n".join(c for c in codes if c != codes[1])
        assert copied[2] == codes[0] and copied[3] == app.file_link(codes[0])


async def test_export_csv_and_plain_list(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path
) -> None:
    codes = emulator.add_files(5)
    emulator.delete_file(codes[2])
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        await check(app, pilot)
        target = tmp_path / "out.csv"
        await pilot.press("e")
        field = app.screen.query_one("#path-input")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, target.exists, "the CSV")
        with target.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["code", "status", "change", "renew"]
        assert rows[3] == [codes[2], "missing", "", ""]
        assert len(rows) == 6
        await pilot.press("f")  # missing only, as a plain list
        listed = tmp_path / "missing.txt"
        await pilot.press("e")
        app.screen.query_one("#path-input").value = str(listed)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, listed.exists, "the list")
        assert listed.read_text() == f"{codes[2]}\n"


async def test_load_file_with_path_completion(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path
) -> None:
    codes = list(emulator.files)[:2]
    (tmp_path / "codes-list.txt").write_text(f"{codes[0]}\nhttps://illvid.com/{codes[1]}\n")
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape", "o")  # leave the paste box, go to the file field
        field = app.screen.query_one("#files-path", PathInput)
        assert app.focused is field
        field.value = str(tmp_path / "codes-")
        field.cursor_position = len(field.value)
        await until(pilot, lambda: bool(field.path_suggester.last), "a completion")
        await pilot.press("tab")
        assert field.value == str(tmp_path / "codes-list.txt")
        await pilot.press("enter")
        await until(pilot, lambda: "2 codes" in text_of(app, "#files-parsed"), "the load")
        assert app.screen.query_one(PasteArea).text.startswith(codes[0])


async def test_big_paste_is_held_aside_not_edited(make_app: MakeApp) -> None:
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        lines = "\n".join(f"https://illvid.com/c{i:011d}/f.mp4" for i in range(100_000))
        await paste(app, pilot, lines)
        await until(pilot, lambda: "100,000 codes" in text_of(app, "#files-parsed"), "the parse")
        assert app.screen.query_one(PasteArea).text == ""
        assert text_of(app, "#files-parsed").startswith("100,000 lines pasted held aside")
        await pilot.press("ctrl+l")
        assert text_of(app, "#files-parsed") == "Nothing to check yet."


async def test_a_batch_refused_451_is_marked_and_the_rest_are_checked(
    make_app: MakeApp, emulator: Emulator
) -> None:
    codes = emulator.add_files(250)
    emulator.delete_file(codes[-1])
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        emulator.fail_next("check_files", 451)
        screen = await check(app, pilot)
        run = screen._run
        assert run is not None and len(run.failed) == 100 and len(run.results) == 150
        statuses = [status(screen.table, c) for c in codes]
        assert statuses.count("! refused 451") == 100
        assert statuses.count("✓ found") + statuses.count("✗ missing") == 150
        assert status(screen.table, codes[-1]) in ("✗ missing", "! refused 451")
        report = text_of(app, "#files-report")
        assert report == (
            "Refused by the server, the rest checked: Unavailable for legal reasons (451): 100."
        )
        assert "! 100 refused" in text_of(app, "#files-totals")


async def test_a_failed_recheck_keeps_the_last_results_and_says_why(
    make_app: MakeApp, emulator: Emulator
) -> None:
    codes = emulator.add_files(250)
    emulator.delete_file(codes[3])
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, "\n".join(codes))
        screen = await check(app, pilot)
        assert status(screen.table, codes[3]) == "✗ missing"
        await until(pilot, lambda: not any(w.group == "files.save" for w in app.workers), "save")
        assert app.client is not None
        app.client.backoff_base = 0.001  # no real waiting in tests
        emulator.fail_next("check_files", 0, count=1000)  # the server is down
        await pilot.press("r")
        await until(pilot, lambda: screen._job is not None and screen._job.is_finished, "run 2")
        await pilot.pause()
        report = text_of(app, "#files-report")
        assert report.startswith("Check failed: check_files: Network error")
        assert report.endswith("250 codes not re-checked: their last results are shown (dim).")
        # The last results are still on screen, marked as such: nothing was wiped.
        assert status(screen.table, codes[3]) == "✗ missing"
        assert status(screen.table, codes[0]) == "✓ found"
        row = screen.table.get_row(codes[0]) or {}
        assert str(row["change"]) == "- not re-checked"
        totals = text_of(app, "#files-totals")
        assert "no change" not in totals and "250 not checked" in totals


def test_path_completion(tmp_path: Path) -> None:
    (tmp_path / "codes-a.txt").write_text("")
    (tmp_path / "codes-b.txt").write_text("")
    (tmp_path / "folder").mkdir()
    (tmp_path / ".hidden").write_text("")
    base = f"{tmp_path}/"
    assert complete_path(base + "co") == base + "codes-"  # common prefix, like a shell
    assert complete_path(base + "codes-a") == base + "codes-a.txt"
    assert complete_path(base + "fo") == base + "folder/"
    assert complete_path(base + ".h") == base + ".hidden"
    assert complete_path(base + "zz") is None
    assert complete_path(base + "codes-") is None  # nothing more to add
    assert complete_path("") is None


async def test_paste_with_the_table_focused_lands_in_the_list(
    make_app: MakeApp, emulator: Emulator
) -> None:
    codes = list(emulator.files)[:2]
    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, codes[0])
        await pilot.press("escape")
        assert isinstance(app.focused, FastTable)
        screen_of(app).codes.parsed = None
        await paste(app, pilot, codes[1])
        assert app.screen.query_one(PasteArea).text == f"{codes[0]}\n{codes[1]}"
        assert text_of(app, "#files-parsed") == "2 codes"


async def test_section_keys_leave_the_screen_and_i_types_in_the_box(make_app: MakeApp) -> None:
    from illvid_tui.screens.dmca import DmcaScreen
    from illvid_tui.screens.uploads import UploadsScreen

    app = make_app(screen="files")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, FastTable)  # not the box: it would eat "2"
        await pilot.press("2")
        assert isinstance(app.screen, UploadsScreen)
        await pilot.press("3")
        assert isinstance(app.screen, FilesScreen)
        assert isinstance(app.focused, FastTable)
        await pilot.press("i")
        box = app.screen.query_one(PasteArea)
        assert app.focused is box
        await pilot.press("a", "b", "c", "escape")
        assert box.text == "abc"
        assert isinstance(app.focused, FastTable)
        await pilot.press("4")
        assert isinstance(app.screen, DmcaScreen)


def test_opening_the_files_screen_does_not_import_httpx() -> None:
    # httpx takes a noticeable time to import; the screen must not wait for it.
    script = "import sys, illvid_tui.screens.files; print('httpx' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"

"""Local file uploads on the Uploads screen: the dialog, the rows, cancel, the header."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pilot_wait import until
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static, TextArea

from illvid_tui.app import IllvidApp
from illvid_tui.core import local_uploads
from illvid_tui.core.uploads import JobState, UploadStore
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dialogs.confirm import ConfirmScreen
from illvid_tui.screens.upload_files import UploadFilesScreen
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.path_input import PathInput
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]
SIZE = (110, 32)
PAYLOAD = bytes(range(256)) * 1200  # 307,200 bytes


def text_of(app: IllvidApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_dialog(pilot: Pilot[None]) -> UploadFilesScreen:
    app = pilot.app
    assert isinstance(app, IllvidApp)
    await until(pilot, lambda: app.local_uploads is not None, "the runner")
    await pilot.press("u")
    await until(pilot, lambda: isinstance(app.screen, UploadFilesScreen), "the dialog")
    assert isinstance(app.screen, UploadFilesScreen)
    return app.screen


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "videos"
    (root / "sub").mkdir(parents=True)
    (root / "a.mp4").write_bytes(PAYLOAD)
    (root / "b.mp4").write_bytes(PAYLOAD[:1000])
    (root / ".hidden").write_bytes(b"x")
    (root / "sub" / "c.mp4").write_bytes(PAYLOAD[:500])
    return root


async def test_dialog_refuses_with_reasons_and_totals_before_sending(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path)
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(b"secret")
    real_access = os.access
    # The tests run as root, who reads everything: the check's own call says no.
    monkeypatch.setattr(
        local_uploads.os, "access", lambda p, m: False if Path(p) == locked else real_access(p, m)
    )
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        lines = [str(root), str(root / "nope.mp4"), "/dev/null", str(locked), str(root / "a.mp4")]
        dialog.query_one("#files-list", TextArea).load_text("\n".join(lines))
        await until(pilot, lambda: "refused" in text_of(app, "#files-summary"), "the check")
        # The folder adds its two files (not the hidden one, not sub/), a.mp4 only once.
        assert text_of(app, "#files-summary") == "2 files, 308.2 kB to send · 3 refused"
        refused = text_of(app, "#files-refused")
        assert "line 2:" in refused and "no such file" in refused
        assert "line 3: /dev/null — not a regular file" in refused
        assert "line 4:" in refused and "not readable" in refused
        dialog.query_one("#files-recursive", Checkbox).value = True
        await until(pilot, lambda: "3 files" in text_of(app, "#files-summary"), "recursive")
        assert app.db.conn.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0


async def test_upload_a_folder_then_rows_codes_and_links(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path)
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        field = dialog.query_one("#files-path", PathInput)
        field.value = str(root)
        await pilot.press("enter")  # the path goes to the list
        assert dialog.query_one("#files-list", TextArea).text == str(root)
        dialog.query_one("#files-folder").focus()
        await pilot.press(*"trips")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, UploadFilesScreen), "queued")
        store = UploadStore(app.db, app.account_id or "")
        assert sorted(Path(j.path or "").name for j in store.jobs()) == ["a.mp4", "b.mp4"]
        await until(
            pilot,
            lambda: [j.state for j in store.jobs()] == [JobState.DONE] * 2,
            "both uploads done",
        )
        table = app.screen.query_one("#uploads-table", FastTable)
        [first, second] = store.jobs()
        await until(pilot, lambda: "done" in str((table.get_row(first.key) or {})["status"]), "row")
        row = table.get_row(first.key)
        assert row is not None
        assert str(row["url"]) == f"⇡ {first.path}" and row["size"] == "307k"
        assert row["progress"] == "100%" and row["code"] == first.file_code
        assert emulator.files[first.file_code or ""]["folder"] == "trips"
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        table.move_cursor(first.key)
        await pilot.press("c", "l")
        assert copied == [first.file_code, app.file_link(first.file_code or "")]


async def test_cancel_asks_first_then_fails_the_upload_and_header_shows_it(
    make_app: MakeApp, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.upload.bandwidth = 100_000.0  # ~3 s for the file
    path = tmp_path / "slow.mp4"
    path.write_bytes(PAYLOAD)
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        dialog.query_one("#files-list", TextArea).load_text(str(path))
        await pilot.press("ctrl+s")
        runner = app.local_uploads
        assert runner is not None
        await until(pilot, lambda: runner.live and next(iter(runner.live.values())).sent, "bytes")
        header = app.screen.query_one(AppHeader)
        await until(pilot, lambda: header.uploads.startswith("⇡ 1 · "), "the header")
        [job] = UploadStore(app.db, app.account_id or "").jobs()
        table = app.screen.query_one("#uploads-table", FastTable)
        table.move_cursor(job.key)
        await pilot.press("X")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert runner.live  # still going
        await pilot.press("X", "y")
        await until(pilot, lambda: not runner.live, "the cancel")
        [ended] = UploadStore(app.db, app.account_id or "").jobs()
        assert ended.state is JobState.FAILED and ended.error == "cancelled"
        assert not any(r.outcome in ("stored", "lost") for r in emulator.uploads)
        await until(pilot, lambda: header.uploads == "", "the header to clear")

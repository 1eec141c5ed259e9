"""Uploads screen pilot tests against the in-process emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.poller import Poller
from illvid_tui.core.settings import Settings
from illvid_tui.core.uploads import JobState
from illvid_tui.emulator import Emulator
from illvid_tui.screens.add_urls import PROGRESS_EVERY, AddUrlsScreen
from illvid_tui.screens.dialogs.confirm import ConfirmScreen
from illvid_tui.screens.uploads import UploadsScreen
from illvid_tui.widgets.table import FastTable

MakeApp = Callable[..., IllvidApp]
SIZE = (100, 30)


def poller_of(app: IllvidApp) -> Poller:
    assert app.poller is not None
    return app.poller


def table_of(app: IllvidApp) -> FastTable:
    return app.screen.query_one("#uploads-table", FastTable)


def status_text(app: IllvidApp, key: str) -> str:
    row = table_of(app).get_row(key)
    assert row is not None
    return str(row["status"])


def record_notes(app: IllvidApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    notes: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        notes.append(f"{kwargs.get('title', '')}: {message}")
        original(message, *args, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return notes


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the screen's and dialogs' workers (not the app's endless poller)."""
    app = pilot.app
    async with asyncio.timeout(30):
        while any(w.group != "uploads.poller" and not w.is_finished for w in app.workers):
            await asyncio.sleep(0.01)
    await pilot.pause()


async def add_urls(pilot: Pilot[None], text: str, folder: str = "") -> AddUrlsScreen:
    await pilot.press("a")
    # Right after start the dialog waits for the account to answer.
    async with asyncio.timeout(30):
        while not isinstance(pilot.app.screen, AddUrlsScreen):
            await pilot.pause(0.01)
    dialog = pilot.app.screen
    assert isinstance(dialog, AddUrlsScreen)
    dialog.query_one("#add-urls", TextArea).load_text(text)
    if folder:
        dialog.query_one("#add-folder").focus()
        await pilot.press(*folder)
    dialog._recheck()
    await pilot.pause()
    return dialog


async def queue(pilot: Pilot[None], text: str, folder: str = "") -> None:
    dialog = await add_urls(pilot, text, folder)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.pause()
    assert not isinstance(pilot.app.screen, AddUrlsScreen) or dialog.report is not None


async def test_empty_state_explains_how_to_add(make_app: MakeApp) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UploadsScreen)
        assert table_of(app).row_count == 0
        assert "Press a to add" in table_of(app).empty_text


async def test_add_pressed_before_the_account_answers_opens_once_it_does(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that the app is up and "a" pressed before the answer, even on a
    # loaded machine (0.3 s was not).
    emulator.faults.slow_ops = {"account_info": 2.0}
    app = make_app("uploads")
    notes = record_notes(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert app.account_id is None  # the key came before the account
        assert not isinstance(app.screen, AddUrlsScreen)
        assert any("opens as soon as the account answers" in n for n in notes)
        async with asyncio.timeout(30):
            while not isinstance(app.screen, AddUrlsScreen):
                await pilot.pause(0.01)
        assert app.account_id is not None


async def test_add_one_then_it_runs_to_done_with_a_toast(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = record_notes(app, monkeypatch)
        await queue(pilot, "https://cdn.example.com/v/holiday.mp4", folder="travel")
        poller = poller_of(app)
        [job] = poller.store.jobs()
        assert job.state is JobState.RUNNING and job.folder == "travel"
        assert emulator.jobs[job.queue_id or ""].folder == "travel"
        assert table_of(app).cursor_key == job.key
        assert "queued" in status_text(app, job.key)
        emulator.advance(60)
        await poller.cycle(force=True)
        await pilot.pause()
        assert status_text(app, job.key) == "✓ done"
        code = emulator.jobs[job.queue_id or ""].file_code
        assert table_of(app).get_row(job.key)["code"] == code  # type: ignore[index]
        assert any(n.startswith("Upload done") and code in n for n in notes)


async def test_add_many_with_bad_lines_and_duplicates(make_app: MakeApp) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/queued.mp4")
        text = "\n".join(
            [
                "https://e.com/a.mp4",
                "ftp://e.com/b.mp4",
                "not a url",
                "https://e.com/c.mp4",
                "https://e.com/a.mp4",
                "https://e.com/queued.mp4",
            ]
        )
        dialog = await add_urls(pilot, text)
        refused = str(dialog.query_one("#add-refused", Static).render())
        assert "line 2" in refused and "http or https only" in refused
        assert "line 3" in refused
        assert "line 5" in refused and "repeats line 1" in refused
        assert "line 6" in refused and "already in the queue (running)" in refused
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause()
        urls = sorted(j.url for j in poller_of(app).store.jobs())
        assert urls == ["https://e.com/a.mp4", "https://e.com/c.mp4", "https://e.com/queued.mp4"]
        assert table_of(app).row_count == 3


async def test_a_thousand_lines_are_all_queued_and_stored(
    make_app: MakeApp, emulator: Emulator
) -> None:
    # The emulator's uploads run on real time: on a loaded machine sending
    # 1,000 took longer than one upload lasts, and early ones were done.
    emulator.upload_seconds = 3600
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(f"https://cdn{i % 5}.example.com/v/{i}.mp4" for i in range(1000))
        await queue(pilot, text)
        jobs = poller_of(app).store.jobs()
        assert len(jobs) == 1000 and all(j.state is JobState.RUNNING for j in jobs)
        assert sum(1 for r in emulator.requests if r.op == "upload_url") == 1000
        assert table_of(app).total_count == 1000


async def test_failed_job_and_retry_queues_again(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = record_notes(app, monkeypatch)
        await queue(pilot, "https://fail.example.com/x.mp4")
        poller = poller_of(app)
        emulator.advance(60)
        await poller.cycle(force=True)
        await pilot.pause()
        [job] = poller.jobs.values()
        assert job.state is JobState.FAILED and status_text(app, job.key) == "✗ error"
        assert any(n.startswith("Upload failed") for n in notes)
        detail = str(app.screen.query_one("#uploads-detail", Static).render())
        assert "404 Not Found at source" in detail
        await pilot.press("R")
        await settle(pilot)
        await pilot.pause()
        [again] = poller.jobs.values()
        assert again.state is JobState.RUNNING and again.queue_id != job.queue_id
        assert sum(1 for r in emulator.requests if r.op == "upload_url") == 2


async def test_an_upload_the_server_forgot_fails_and_R_sends_it_again(
    make_app: MakeApp, emulator: Emulator
) -> None:
    emulator.upload_seconds = 10_000
    emulator.faults.queue_ttl = 30
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4")
        poller = poller_of(app)
        poller.pause()  # drive the cycles by hand
        emulator.advance(60)
        await poller.cycle(force=True)
        await poller.cycle(force=True)
        await pilot.pause()
        [job] = poller.jobs.values()
        assert job.state is JobState.FAILED and status_text(app, job.key) == "✗ not found"
        detail = str(app.screen.query_one("#uploads-detail", Static).render())
        assert "no longer knows this upload" in detail and "R queues the URL again" in detail
        await pilot.press("R")
        await settle(pilot)
        [again] = poller.jobs.values()
        assert again.state is JobState.RUNNING and again.queue_id in emulator.jobs


async def test_a_line_the_server_refuses_is_listed_with_its_reason(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        emulator.fail_next("upload_url", 400)
        dialog = await add_urls(pilot, "https://e.com/a.mp4")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and dialog.report is not None
        assert len(dialog.report.refused) == 1
        refused = dialog.query_one("#add-refused", Static)
        dialog._recheck()  # as the debounced check after the box was refilled
        await pilot.pause()
        text = str(refused.render())
        assert refused.display and "line 1: https://e.com/a.mp4" in text
        assert "refused by the server: Bad request (400)" in text
        assert "refused by the server" in str(dialog.query_one("#add-report", Static).render())
        # Changing the line is another try: it is no longer listed.
        dialog.query_one("#add-urls", TextArea).load_text("https://e.com/b.mp4")
        dialog._recheck()
        await pilot.pause()
        assert not refused.display


async def test_the_add_dialog_says_it_is_sending_and_its_count_reads_plainly(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        emulator.faults.slow_ops["upload_url"] = 0.5
        emulator.fail_next("upload_url", 500)  # an unknown outcome keeps the dialog open
        dialog = await add_urls(pilot, "https://e.com/a.mp4")
        await pilot.press("ctrl+s")
        async with asyncio.timeout(10):
            while not poller_of(app).store.jobs():
                await pilot.pause(0.01)
        label = dialog.query_one("#add-progress-label", Static)
        # Before any answer came, the dialog says it is at work.
        assert str(label.render()).startswith("Sending… 0/1 sent, 0 queued")
        assert str(dialog.query_one("#add-queue").label) == "Sending…"  # type: ignore[attr-defined]
        await settle(pilot)
        assert str(label.render()).startswith("1/1 sent, 0 queued")
        # No percentage beside the bar to run into the count ("11/1 sent").
        assert not [w for w in dialog.query("#add-bar *") if w.display and "%" in str(w.render())]


async def test_sending_repaints_its_progress_at_a_steady_pace_not_per_answer(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        emulator.faults.slow_ops["upload_url"] = 0.01
        dialog = await add_urls(pilot, "\n".join(f"https://e.com/{i}.mp4" for i in range(120)))
        label = dialog.query_one("#add-progress-label", Static)
        paints = 0
        update = label.update

        def counted(*args: Any, **kwargs: Any) -> None:
            nonlocal paints
            paints += 1
            update(*args, **kwargs)

        monkeypatch.setattr(label, "update", counted)
        started = time.monotonic()
        await pilot.press("ctrl+s")
        await settle(pilot)
        elapsed = time.monotonic() - started
        assert len(poller_of(app).store.jobs()) == 120
        # One paint at the start, one a PROGRESS_EVERY, one at the end: not one per URL.
        assert paints <= 3 + elapsed / PROGRESS_EVERY


async def test_unknown_outcome_is_marked_and_sent_again_only_on_purpose(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        emulator.fail_next("upload_url", 500)
        await add_urls(pilot, "https://e.com/a.mp4")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, AddUrlsScreen)  # stays open and says why
        assert "unknown outcome" in str(app.screen.query_one("#add-report", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        [job] = poller_of(app).jobs.values()
        assert status_text(app, job.key) == "? unknown"
        await poller_of(app).cycle(force=True)
        assert sum(1 for r in emulator.requests if r.op == "upload_url") == 1
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert sum(1 for r in emulator.requests if r.op == "upload_url") == 1
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        await pilot.pause()
        [again] = poller_of(app).jobs.values()
        assert again.state is JobState.RUNNING and again.id == job.id
        assert sum(1 for r in emulator.requests if r.op == "upload_url") == 2


async def test_509_pauses_all_polling_and_resumes(make_app: MakeApp, emulator: Emulator) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4\nhttps://e.com/b.mp4")
        poller = poller_of(app)
        poller.pause()  # keep the app's own loop out of the way: drive cycles by hand
        emulator.fail_next("check_upload_url", 509)
        await poller.cycle(force=True)
        await pilot.pause()
        assert poller.blocked
        status = str(app.screen.query_one("#uploads-status", Static).render())
        assert "Server busy (509)" in status
        assert app.connection[0] == "retrying" and "509" in app.connection[1]
        assert app.client is not None
        await app.client.account_info()  # another call succeeding does not hide the wait
        await pilot.pause()
        assert app.connection[0] == "retrying" and "509" in app.connection[1]
        checks = sum(1 for r in emulator.requests if r.op == "check_upload_url")
        await pilot.press("r")
        assert (await poller.cycle(force=True)).requests == 0
        assert sum(1 for r in emulator.requests if r.op == "check_upload_url") == checks
        poller.blocked_until = time.monotonic() - 1  # the announced wait is over
        emulator.advance(60)
        stats = await poller.cycle(force=True)
        await pilot.pause()
        assert stats.requests == 2 and not poller.blocked
        assert all(j.state is JobState.DONE for j in poller.jobs.values())
        assert "Server busy" not in str(app.screen.query_one("#uploads-status", Static).render())
        assert app.connection == ("ok", "connected")


async def test_pause_resume_and_interval_keys(make_app: MakeApp) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        poller = poller_of(app)
        await pilot.press("p")
        await pilot.pause()
        assert poller.paused
        assert "PAUSED" in str(app.screen.query_one("#uploads-status", Static).render())
        await pilot.press("p")
        await pilot.pause()
        assert not poller.paused
        await pilot.press("plus")
        assert poller.interval == 3
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert poller.interval == 10
        assert "every 10 s" in str(app.screen.query_one("#uploads-status", Static).render())


async def test_r_while_paused_polls_once_and_stays_paused(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.upload_seconds = 10_000
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4\nhttps://e.com/b.mp4")
        poller = poller_of(app)
        await pilot.press("p")
        notes = record_notes(app, monkeypatch)
        checks = sum(1 for r in emulator.requests if r.op == "check_upload_url")
        await pilot.press("r")
        async with asyncio.timeout(10):
            while sum(1 for r in emulator.requests if r.op == "check_upload_url") < checks + 2:
                await pilot.pause(0.01)
        await pilot.pause()
        assert poller.paused
        assert "PAUSED" in str(app.screen.query_one("#uploads-status", Static).render())
        assert any("once; polling stays paused" in n for n in notes)


async def test_filter_search_copy_remove_and_clear(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(
            pilot, "https://e.com/a.mp4\nhttps://fail.example.com/b.mp4\nhttps://e.com/c.mp4"
        )
        poller = poller_of(app)
        emulator.advance(60)
        await poller.cycle(force=True)
        await queue(pilot, "https://e.com/running.mp4")
        table = table_of(app)
        await pilot.press("f")  # running
        assert [poller.jobs[k].url for k in table.visible_keys()] == ["https://e.com/running.mp4"]
        await pilot.press("f", "f")  # failed
        assert [poller.jobs[k].url for k in table.visible_keys()] == [
            "https://fail.example.com/b.mp4"
        ]
        await pilot.press("f", "f")  # back to all
        await pilot.press("slash", *"c.mp4", "enter")
        assert [poller.jobs[k].url for k in table.visible_keys()] == ["https://e.com/c.mp4"]
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.press("c", "l")
        code = poller.jobs[table.visible_keys()[0]].file_code or ""
        assert copied == [code, app.file_link(code)]
        await pilot.press("escape")
        assert table.row_count == 4
        table.move_cursor(next(k for k, j in poller.jobs.items() if j.url.endswith("a.mp4")))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert sorted(j.url for j in poller.store.jobs()) == [
            "https://e.com/c.mp4",
            "https://e.com/running.mp4",
            "https://fail.example.com/b.mp4",
        ]
        await pilot.press("C")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [j.url for j in poller.store.jobs()] == ["https://e.com/running.mp4"]
        assert table.total_count == 1


async def test_the_poll_interval_is_kept_for_the_next_run(
    tmp_path: Path, emulator: Emulator
) -> None:
    settings = Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api", start_screen="uploads")
    creds = Credentials(emulator.login, emulator.key, source="test")

    def build() -> IllvidApp:
        return create_app(
            settings,
            transport=emulator.transport(),
            credentials=creds,
            db=Database(settings.db_path),
        )

    first = build()
    async with first.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(30):
            while first.poller is None:
                await pilot.pause(0.01)
        await pilot.press("minus", "minus")  # 5 s -> 10 s -> 15 s
        assert poller_of(first).interval == 15
    second = build()
    async with second.run_test(size=SIZE) as pilot:
        async with asyncio.timeout(30):
            while second.poller is None:
                await pilot.pause(0.01)
        await pilot.pause()
        assert poller_of(second).interval == 15
        assert "every 15 s" in str(second.screen.query_one("#uploads-status", Static).render())


async def test_a_second_app_on_the_same_database_sees_every_job(
    tmp_path: Path, emulator: Emulator
) -> None:
    settings = Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api", start_screen="uploads")
    creds = Credentials(emulator.login, emulator.key, source="test")

    def build() -> IllvidApp:
        return create_app(
            settings,
            transport=emulator.transport(),
            credentials=creds,
            db=Database(settings.db_path),
        )

    first = build()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4\nhttps://e.com/b.mp4\nhttps://e.com/c.mp4")
        keys = set(poller_of(first).jobs)
    second = build()
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert set(poller_of(second).jobs) == keys
        assert set(table_of(second).visible_keys()) == keys
        emulator.advance(60)
        await poller_of(second).cycle(force=True)
        assert all(j.state is JobState.DONE for j in poller_of(second).store.jobs())


async def test_escape_while_sending_stops_and_keeps_the_rest(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        emulator.faults.slow_ops["upload_url"] = 0.2
        await add_urls(pilot, "\n".join(f"https://e.com/{i}.mp4" for i in range(40)))
        await pilot.press("ctrl+s")
        async with asyncio.timeout(10):
            while not poller_of(app).store.jobs():
                await asyncio.sleep(0.02)
        await pilot.press("escape")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddUrlsScreen) and dialog.report is not None
        report = dialog.report
        assert report.not_sent and report.queued + len(report.not_sent) == 40
        left = dialog.query_one("#add-urls", TextArea).text.splitlines()
        assert left == report.not_sent
        stored = poller_of(app).store.jobs()
        assert len(stored) == report.queued and all(j.queue_id for j in stored)
        assert "not sent" in str(dialog.query_one("#add-report", Static).render())


async def test_a_dialog_over_the_table_gets_no_updates_behind_it_until_it_closes(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a dialog, any message the Uploads screen handles made Textual repaint
    # the whole terminal (5.8 KB/s with 500 polled jobs): it is told nothing then.
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4\nhttps://e.com/b.mp4\nhttps://e.com/c.mp4")
        screen = app.screen
        assert isinstance(screen, UploadsScreen)
        poller = poller_of(app)
        poller.pause()  # drive the cycles by hand
        posted: list[str] = []
        post = screen.post_message

        def counted(message: Any) -> bool:
            posted.append(type(message).__name__)
            return post(message)

        monkeypatch.setattr(screen, "post_message", counted)
        table = table_of(app)
        await pilot.press("x")  # the remove confirmation, over the table
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        emulator.advance(3600)
        await poller.cycle(force=True)
        await pilot.pause()
        assert not [m for m in posted if m in ("UploadsChanged", "PollerStateChanged")]

        def statuses() -> list[str]:
            return [str((table.get_row(k) or {})["status"]) for k in table.visible_keys()]

        assert "✓ done" not in statuses()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert statuses() == ["✓ done"] * 3
        assert "3 done" in str(screen.query_one("#uploads-status", Static).render())


async def test_toast_on_another_screen_and_cursor_stays_put(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4\nhttps://e.com/b.mp4\nhttps://e.com/c.mp4")
        table = table_of(app)
        table.move_cursor(table.visible_keys()[1])
        kept = table.cursor_key
        await pilot.press("1")  # the Account section
        await pilot.pause()
        assert not isinstance(app.screen, UploadsScreen)
        notes = record_notes(app, monkeypatch)
        emulator.advance(60)
        await poller_of(app).cycle(force=True)
        await pilot.pause()
        assert any(n.startswith("Uploads finished") and "3 done" in n for n in notes)
        await pilot.press("2")
        await pilot.pause()
        assert table_of(app).cursor_key == kept
        assert all(status_text(app, k) == "✓ done" for k in table_of(app).visible_keys())


async def test_rows_keep_the_order_they_were_added_in(make_app: MakeApp) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        urls = [f"https://e.com/{i:03d}.mp4" for i in range(60)]
        await queue(pilot, "\n".join(urls))
        poller = poller_of(app)
        assert [poller.jobs[k].url for k in table_of(app).visible_keys()] == urls


async def test_a_finished_upload_toast_shows_bracketed_text_literally(
    make_app: MakeApp, emulator: Emulator
) -> None:
    # URLs and server words may hold "[...]": a toast must not read them as markup
    # (a stray closing tag raised MarkupError inside the app).
    app = make_app("uploads")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await queue(pilot, "https://cdn.example.com/v/[/x]-fail.mp4")
        emulator.advance(3600)
        await poller_of(app).cycle(force=True)
        await pilot.pause()
        assert app.is_running
        toasts = [n.message for n in app._notifications if n.title == "Upload failed"]
        assert toasts and "[/x]-fail.mp4" in toasts[-1]

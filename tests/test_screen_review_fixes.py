"""Regressions found in review: each test fails without its fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import test_dmca_screen as dmca_tests
import test_files_screen as files_tests
from test_uploads_screen import SIZE, poller_of, queue, table_of
from textual.worker import Worker

from illvid_tui.api.models import parse_dmca_list
from illvid_tui.app import IllvidApp
from illvid_tui.core.codes import ParsedCodes, parse_codes
from illvid_tui.emulator import Emulator
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.screens.dmca_rows import RENEWED, prepare_rows
from illvid_tui.screens.files import FilesScreen
from illvid_tui.screens.uploads import UploadsScreen

MakeApp = Callable[..., IllvidApp]


async def test_an_uploads_search_follows_the_poller_when_it_reloads_its_jobs(
    make_app: MakeApp,
) -> None:
    app = make_app("uploads")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await queue(pilot, "https://e.com/a.mp4")
        await pilot.press("slash", *"e.com", "enter")
        poller = poller_of(app)
        table = table_of(app)
        assert len(table.visible_keys()) == 1
        # What Poller.load() does on an account switch: a new dict for the jobs.
        poller.jobs = dict(poller.jobs)
        await queue(pilot, "https://e.com/b.mp4")
        shown = sorted(poller.jobs[k].url for k in table.visible_keys())
        assert shown == ["https://e.com/a.mp4", "https://e.com/b.mp4"]


async def test_a_renew_answered_while_dmca_rows_are_prepared_stays_shown(
    make_app: MakeApp, emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=SIZE) as pilot:
        await dmca_tests.settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        raw = emulator.dmca[:3]
        code = raw[0]["file_code"]
        # The rows are prepared from the results known then (none)...
        prepared = prepare_rows(parse_dmca_list(raw), app.today(), dict(screen._results))
        # ...and the renew answers before they are shown.
        screen._set_results([code], RENEWED)
        assert screen.apply(screen._generation, prepared) is True
        row = dmca_tests.table_of(app).get_row(code)
        assert row is not None and row["result"] is RENEWED


async def test_workers_given_many_items_get_a_short_description_not_their_repr(
    make_app: MakeApp,
) -> None:
    codes = [f"zz{i:010d}" for i in range(2000)]

    def check(worker: Worker[None]) -> None:
        worker.cancel()  # before it starts: only its description matters here
        assert len(worker.description) < 40, worker.description[:80]
        assert "zz00000" not in worker.description

    app = make_app("dmca")
    async with app.run_test(size=SIZE) as pilot:
        await dmca_tests.settle(app, pilot)
        assert isinstance(app.screen, DmcaScreen)
        check(app.screen._renew(codes))
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, FilesScreen) and app.client is not None
        check(app.screen._renew_files(app.client, codes))
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, UploadsScreen)
        check(app.screen._resend(codes))  # type: ignore[arg-type]


async def test_a_check_reuses_the_parse_of_the_box_instead_of_parsing_again(
    make_app: MakeApp, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = list(emulator.files)[:3]
    app = make_app(screen="files")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await files_tests.paste(app, pilot, "\n".join(known))
        parses: list[str] = []

        def counted(text: str) -> ParsedCodes:
            parses.append(text)
            return parse_codes(text)

        monkeypatch.setattr("illvid_tui.screens.files_input.parse_codes", counted)
        screen = await files_tests.check(app, pilot)
        assert screen.table.visible_keys() == known
        assert parses == []
        # Text typed after the parse, before it is redone: the check parses it.
        screen.codes.box.load_text("\n".join(known[:2]))
        screen = await files_tests.check(app, pilot)
        assert screen.table.visible_keys() == known[:2]

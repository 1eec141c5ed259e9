"""Regressions found in review: each test fails without its fix."""

from __future__ import annotations

from collections.abc import Callable

from test_uploads_screen import SIZE, poller_of, queue, table_of

from illvid_tui.app import IllvidApp

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

"""A worker that fails unexpectedly, on any screen or widget, reaches the app's one handler.

`Worker.StateChanged` does not bubble, so without forwarding such a failure
(every worker runs with exit_on_error=False) would vanish without a word.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from pilot_wait import until
from textual import events
from textual.worker import Worker

from illvid_tui.api.client import IllvidClient
from illvid_tui.api.errors import IllvidError
from illvid_tui.app import IllvidApp
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.screens.files import FilesScreen

MakeApp = Callable[..., IllvidApp]


def went_wrong(app: IllvidApp) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Something went wrong"]


async def test_a_screen_worker_failure_is_shown_and_the_app_goes_on(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: IllvidClient, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the notice list went sideways")

    monkeypatch.setattr(IllvidClient, "files_dmca", broken)
    app = make_app("dmca")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(went_wrong(app)), "the note")
        assert "RuntimeError: the notice list went sideways" in went_wrong(app)[0]
        assert str(app.settings.log_path) in went_wrong(app)[0]
        await pilot.press("1")  # still running, still answering keys
        await pilot.pause()
        assert not isinstance(app.screen, DmcaScreen)
        assert app.is_running


async def test_a_widget_worker_failure_is_shown(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str) -> Any:
        raise ValueError("parser tripped")

    monkeypatch.setattr("illvid_tui.screens.files_input.parse_codes", broken)
    app = make_app("files")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FilesScreen)
        app.post_message(events.Paste("abcdefabcdef"))
        await until(pilot, lambda: bool(went_wrong(app)), "the note")
        assert "ValueError: parser tripped" in went_wrong(app)[0]


def shown_toasts(app: IllvidApp) -> str:
    from textual.widgets._toast import Toast

    return "\n".join(str(toast.render()) for toast in app.screen.query(Toast))


async def test_server_text_in_a_worker_error_is_shown_literally_not_as_markup(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: IllvidClient, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("[/x] broke")

    monkeypatch.setattr(IllvidClient, "files_dmca", broken)
    app = make_app("dmca")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: "[/x]" in shown_toasts(app), "the toast")
        assert "RuntimeError: [/x] broke" in shown_toasts(app)
        # The handler's other branch: a server error whose msg looks like markup.
        worker = SimpleNamespace(error=IllvidError(500, "[/x] broke [b]"), group="test")
        app.report_worker_error(cast("Worker[Any]", worker))
        await until(pilot, lambda: "[b]" in shown_toasts(app), "the second toast")
        assert "[/x] broke [b]" in shown_toasts(app)
        assert app.is_running

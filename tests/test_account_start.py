"""Section 4: the Account screen shows the last run's data at the first frame, then the answer."""

from __future__ import annotations

import json
import stat

from conftest import TODAY
from pilot_wait import until

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import DEMO_KEY, Emulator

SIZE = (100, 30)


def real_app(settings: Settings, emulator: Emulator, login: str = "demo") -> IllvidApp:
    """Not the demo (which keeps nothing): the app on `emulator` with env-like credentials."""
    return create_app(
        settings,
        transport=emulator.transport(),
        credentials=Credentials(login, DEMO_KEY, source="env"),
        today=TODAY,
    )


def shown_text(app: IllvidApp) -> str:
    """The screen as painted (the compositor's strips)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settled(app: IllvidApp) -> None:
    busy = [w for w in app.workers if w.group == "app.account_cache"]
    if busy:  # an empty list would wait for every worker, the poller's too
        await app.workers.wait_for_complete(busy)


async def test_the_last_runs_account_shows_at_once_then_the_answer_replaces_it(
    settings: Settings, emulator: Emulator
) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.upload_server is not None)
        await until(pilot, lambda: settings.account_cache_path.exists())
        await settled(app)
        first_money = app.account.info.money if app.account.info else None
    path = settings.account_cache_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = path.read_text()
    assert DEMO_KEY not in saved
    entry = json.loads(saved)["accounts"][f"{settings.base_url}|demo"]
    assert entry["info"]["login"] == "demo" and entry["upload_server"]

    # The next start: the server is slow, and the balance changed meanwhile.
    emulator.faults.slow_ops["account_info"] = 30.0
    emulator.account["money"] = "1.25"
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = shown_text(app)
        assert "demo" in text and str(first_money) in text, text
        assert entry["upload_server"] in text
        assert "by an earlier run" in text
        emulator.faults.slow_ops["account_info"] = 0.0
        await pilot.press("r")
        await until(pilot, lambda: app.account.saved_at is None and app.account.info is not None)
        await pilot.pause()
        text = shown_text(app)
        assert "1.25" in text and "earlier run" not in text, text


async def test_another_accounts_data_is_not_shown(settings: Settings, emulator: Emulator) -> None:
    app = real_app(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: settings.account_cache_path.exists())
        await settled(app)
    other = Emulator(seed=2, today=TODAY, login="other", key=DEMO_KEY)
    other.faults.slow_ops["account_info"] = 30.0
    app = real_app(settings, other, login="other")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.account.info is None
        assert "demo" not in shown_text(app)

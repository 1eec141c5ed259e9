"""The last DMCA list: saved per account (0600, never the key), shown at once, then replaced."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pilot_wait import until
from textual.widgets import Static

from illvid_tui.api.models import DmcaNotice
from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.account import partition
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.dmca_cache import DmcaCache, describe_age
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator
from illvid_tui.screens.dmca import DmcaScreen

NOON = dt.datetime(2026, 11, 27, 12, 0)


def test_round_trip_private_and_per_account(tmp_path: Path) -> None:
    cache = DmcaCache(tmp_path / "cache")
    notices = [
        DmcaNotice("abc123def456", dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        DmcaNotice("zzz999yyy888", None, dt.date(2026, 11, 30)),
    ] * 3000
    cache.save("demo@illvid.com", "down", notices, NOON)
    saved = cache.load("demo@illvid.com")
    assert saved is not None
    assert saved.notices == notices and saved.order == "down" and saved.saved_at == NOON
    assert cache.load("other@illvid.com") is None
    path = cache.path("demo@illvid.com")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert "demo" not in path.name  # the listing names no login
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_a_damaged_file_is_only_a_missed_shortcut(tmp_path: Path) -> None:
    cache = DmcaCache(tmp_path)
    cache.save("a", "down", [DmcaNotice("abc123def456", None, None)], NOON)
    cache.path("a").write_bytes(b'{"version": 1, "account": "a", "notices": [[')
    assert cache.load("a") is None


def test_describe_age() -> None:
    assert describe_age(NOON, NOON + dt.timedelta(seconds=30)) == "just now"
    assert describe_age(NOON, NOON + dt.timedelta(minutes=12)) == "12 min ago"
    assert describe_age(NOON, NOON + dt.timedelta(hours=3)) == "3 h ago"
    assert describe_age(NOON, NOON + dt.timedelta(days=1, hours=2)) == "1 day ago"


def make(settings: Settings, emulator: Emulator, clock: dt.datetime) -> IllvidApp:
    return create_app(
        settings,
        transport=emulator.transport(),
        credentials=Credentials(DEMO_LOGIN, DEMO_KEY, source="test"),
        today=clock.date(),
        clock=lambda: clock,
    )


def status_of(app: IllvidApp) -> str:
    return str(app.screen.query_one("#dmca-status", Static).render())


async def test_the_last_list_shows_at_once_marked_with_its_age_then_the_answer_replaces_it(
    tmp_path: Path,
) -> None:
    settings = Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api", start_screen="dmca")
    emulator = Emulator(seed=1, today=NOON.date())
    emulator.set_dmca(300)
    app = make(settings, emulator, NOON)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(
            pilot,
            lambda: isinstance(app.screen, DmcaScreen) and app.screen._loaded,
            "the first load",
        )
        await until(pilot, lambda: not [w for w in app.workers if w.group == "dmca.save"], "save")
    saved = list((settings.state_dir / "cache").iterdir())
    assert len(saved) == 1 and os.stat(saved[0]).st_mode & 0o777 == 0o600
    assert DEMO_KEY.encode() not in saved[0].read_bytes()

    # The next start: the server is slow now, and the list has changed meanwhile.
    first_code = emulator.dmca[0]["file_code"]
    emulator.set_dmca(250)
    emulator.faults.slow_ops["files_dmca"] = 1.0
    later = NOON + dt.timedelta(minutes=12)
    app = make(settings, emulator, later)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        await until(pilot, lambda: screen.table.total_count == 300, "the saved list")
        assert not screen._loaded
        assert status_of(app) == "⟳ the list saved 12 min ago (300); asking the server…"
        assert first_code in screen.table.visible_keys()
        await until(pilot, lambda: screen._loaded, "the answer")
        assert screen.table.total_count == 250
        assert status_of(app).startswith("250 notices")


async def test_a_failed_load_keeps_the_saved_list_and_says_so(tmp_path: Path) -> None:
    settings = Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api", start_screen="dmca")
    emulator = Emulator(seed=1, today=NOON.date())
    account = partition(settings.base_url, DEMO_LOGIN)
    saved = [DmcaNotice("abc123def456", dt.date(2026, 11, 20), dt.date(2026, 12, 20))]
    DmcaCache(settings.state_dir / "cache").save(account, "down", saved, NOON)
    emulator.fail_next("files_dmca", 451)  # not retried
    app = make(settings, emulator, NOON + dt.timedelta(hours=3))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DmcaScreen)
        await until(pilot, lambda: status_of(app).startswith("✗"), "the failure")
        await until(pilot, lambda: screen.table.total_count == 1, "the saved list")
        assert status_of(app).endswith("· showing the list saved 3 h ago")
        assert screen.table.visible_keys() == ["abc123def456"]

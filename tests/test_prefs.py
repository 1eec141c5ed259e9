"""Preferences kept between runs: the Uploads poll interval."""

from __future__ import annotations

from pathlib import Path

from illvid_tui.core.db import Database
from illvid_tui.core.poller_policy import INTERVALS
from illvid_tui.core.prefs import POLL_INTERVAL, Prefs


def test_poll_interval_survives_a_new_connection(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.sqlite3"
    first = Database(path)
    assert Prefs(first).poll_interval(INTERVALS) is None
    Prefs(first).set_poll_interval(30)
    first.close()
    again = Database(path)
    assert Prefs(again).poll_interval(INTERVALS) == 30.0
    Prefs(again).set_poll_interval(2)
    assert Prefs(again).poll_interval(INTERVALS) == 2.0


def test_a_stored_interval_that_is_no_step_is_ignored(tmp_path: Path) -> None:
    prefs = Prefs(Database(tmp_path / "state.sqlite3"))
    for bad in ("7", "fast", "-5", "nan"):
        prefs.set(POLL_INTERVAL, bad)
        assert prefs.poll_interval(INTERVALS) is None

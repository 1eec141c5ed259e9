"""Shared fixtures: a seeded emulator with a fixed today, settings in tmp_path, a demo app."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from file_keyring import JsonKeyring  # one file-backed backend, re-exported for tests

from illvid_tui.app import IllvidApp
from illvid_tui.app.demo import create_demo_app
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import Emulator

#: The fixed "today" of every test and snapshot.
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def emulator() -> Emulator:
    """The demo emulator, seeded, on the fixed today."""
    return Emulator(seed=1, today=TODAY)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose state, log and config folders are under tmp_path."""
    return Settings.in_dir(tmp_path, base_url="http://127.0.0.1/api")


@pytest.fixture
def make_app(emulator: Emulator, settings: Settings) -> Callable[..., IllvidApp]:
    """`make_app(screen="account", **kwargs)`: a demo app on the `emulator` fixture.

    kwargs go to `create_demo_app` (today, clock) or replace settings fields
    (low_bandwidth...). today defaults to TODAY.
    """

    def make(screen: str = "account", **kwargs: Any) -> IllvidApp:
        fields = {k: kwargs.pop(k) for k in list(kwargs) if k in Settings.__dataclass_fields__}
        app_settings = Settings.in_dir(
            settings.state_dir.parent,
            base_url=settings.base_url,
            start_screen=screen,
            **fields,
        )
        kwargs.setdefault("today", TODAY)
        return create_demo_app(app_settings, emulator=emulator, **kwargs)

    return make


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the user's credentials, keyring or folders."""
    for name in ("ILLVID_API_KEY", "ILLVID_API_LOGIN", "ILLVID_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    keyring.set_keyring(keyring.backends.null.Keyring())
    # The app's log setup changes process-wide loggers: put them back.
    loggers = [logging.getLogger(n) for n in ("illvid_tui", "httpx", "httpcore")]
    saved = [(lg, lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    yield
    keyring.set_keyring(keyring.backends.null.Keyring())
    for lg, level, handlers, propagate in saved:
        for h in lg.handlers:
            if h not in handlers:
                h.close()
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate


@pytest.fixture
def json_keyring(tmp_path: Path) -> JsonKeyring:
    """A file-based keyring in tmp_path, selected for this test."""
    backend = JsonKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring() -> None:
    """The headless case: keyring's fail backend (every call raises NoKeyringError)."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture
def served(emulator: Emulator) -> Iterator[Any]:
    """The `emulator` fixture served over loopback (tests/cli_support.py)."""
    from cli_support import LoopbackEmulator

    server = LoopbackEmulator(emulator)
    yield server
    server.stop()

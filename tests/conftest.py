"""Shared fixtures: a seeded emulator with a fixed today, settings in tmp_path, a demo app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from illvid_tui.app import IllvidApp
from illvid_tui.core.settings import Settings
from illvid_tui.demo import create_demo_app
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

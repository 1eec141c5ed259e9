"""`illvid-tui --demo`: the app on the in-process emulator, no credentials asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from illvid_tui.api.client import is_loopback
from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.settings import DEMO_BASE_URL, Settings

if TYPE_CHECKING:
    from illvid_tui.emulator import Emulator


def create_demo_app(
    settings: Settings,
    *,
    emulator: Emulator | None = None,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> IllvidApp:
    """The app on `emulator` (a fresh seeded one by default).

    The demo keeps its state in memory: it never touches the user's own state
    database or keyring, and each run starts from the same demo data.
    """
    from illvid_tui.emulator import Emulator

    emu = emulator if emulator is not None else Emulator(today=today)
    import httpx

    host = httpx.URL(settings.base_url).host
    base_url = settings.base_url if is_loopback(host) else DEMO_BASE_URL
    settings = replace(settings, demo=True, base_url=base_url)
    app = create_app(
        settings,
        transport=emu.transport(),
        credentials=Credentials(emu.login, emu.key, source="demo"),
        today=today,
        clock=clock,
        db=Database(":memory:"),
    )
    app.emulator = emu
    return app

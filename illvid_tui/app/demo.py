"""`illvid-tui --demo`: the app on the in-process emulator, no credentials asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from illvid_tui.api.baseurl import is_loopback
from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.settings import DEMO_BASE_URL, Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.emulator import Emulator

#: The demo account (the emulator's defaults; not a secret).
DEMO_LOGIN = "demo"
DEMO_KEY = "demo-key-not-secret"


def create_demo_app(
    settings: Settings,
    *,
    emulator: Emulator | None = None,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> IllvidApp:
    """The app on `emulator` (a fresh seeded one by default).

    The demo keeps its state in memory: it never touches the user's own state
    database or keyring, and each run starts from the same demo data. Without
    `emulator` the emulator (and httpx with it) is imported and built in a
    thread after the first frame, so the demo's first frame is as quick as
    the real app's.
    """
    host = urlsplit(settings.base_url).hostname or ""
    base_url = settings.base_url if is_loopback(host) else DEMO_BASE_URL
    settings = replace(settings, demo=True, base_url=base_url)
    login, key = (emulator.login, emulator.key) if emulator else (DEMO_LOGIN, DEMO_KEY)
    app: IllvidApp

    def build() -> httpx.AsyncBaseTransport:
        from illvid_tui.emulator import Emulator

        emu = Emulator(key=DEMO_KEY, login=DEMO_LOGIN, today=today)
        app.emulator = emu
        return emu.transport()

    app = create_app(
        settings,
        transport=emulator.transport() if emulator is not None else None,
        transport_factory=None if emulator is not None else build,
        credentials=Credentials(login, key, source="demo"),
        today=today,
        clock=clock,
        db=Database(":memory:"),
    )
    app.emulator = emulator
    return app

"""`illvid-tui --demo`: the app on the in-process emulator, no credentials asked.

The demo has profiles, as a real install may: one per account of the
emulator (`DEMO_PROFILES`), each with its own files, DMCA notices and upload
queue, so `P` lists them and switching shows the other account at once. They
live in a `MemoryProfileStore`: nothing is written to profiles.toml or the
keyring, and each run starts with the same ones.
"""

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
from illvid_tui.core.memory_profiles import MemoryProfileStore
from illvid_tui.core.profiles import Profile
from illvid_tui.core.settings import DEMO_BASE_URL, Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.emulator import Emulator

#: The demo account (the emulator's defaults; not a secret).
DEMO_LOGIN = "demo"
DEMO_KEY = "demo-key-not-secret"

#: The demo's profiles: (profile name, login, key, balance); the first is the one in use.
#: The first is the emulator's own account; the others are added to it, with demo data.
DEMO_PROFILES = (
    ("demo", DEMO_LOGIN, DEMO_KEY, ""),
    ("studio", "studio", "studio-key-not-secret", "812.40"),
    ("archive", "archive", "archive-key-not-secret", "37.15"),
)
#: How many profiles `a` may add to the demo (accounts on its emulator).
MAX_DEMO_PROFILES = 9


def _add_accounts(emulator: Emulator) -> None:
    """Give `emulator` the demo's other accounts (each with its own demo data)."""
    for _name, login, key, money in DEMO_PROFILES[1:]:
        if key != emulator.key and key not in emulator.accounts:
            state = emulator.add_account(login, key, demo_data=True)
            state.account["money"] = money


def demo_store(base_url: str, login: str, key: str) -> MemoryProfileStore:
    """The demo's profiles in memory, the first (the emulator's own account: `login`) in use."""
    accounts = [(DEMO_PROFILES[0][0], login, key)]
    accounts += [(name, user, secret) for name, user, secret, _money in DEMO_PROFILES[1:]]
    store = MemoryProfileStore(
        (Profile(name, base_url, user), Credentials(user, secret, source="demo"))
        for name, user, secret in accounts
    )
    store.set_last_used(DEMO_PROFILES[0][0])
    return store


def add_demo_profile(app: IllvidApp) -> str | None:
    """Add a profile over a new account on the demo's emulator; its name, or None (said why)."""
    emulator, store = app.emulator, app.profile_store
    if emulator is None:
        app.notify("The demo is still starting: try again in a moment.")
        return None
    taken = store.load()
    if len(taken) >= MAX_DEMO_PROFILES:
        app.notify(f"The demo stops at {MAX_DEMO_PROFILES} profiles.", severity="warning")
        return None
    number = len(emulator.accounts) + 2
    while f"demo-{number}" in taken:
        number += 1
    name = login = f"demo-{number}"
    key = f"{login}-key-not-secret"
    emulator.add_account(login, key, demo_data=True)
    store.put(Profile(name, app.settings.base_url, login))
    store.save_key(name, Credentials(login, key, source="demo"), plain_file=False)
    app.notify(
        f"Added the profile {name}: a new account on the demo's emulator, with demo data. "
        "(The demo cannot add real accounts: run illvid-tui without --demo for that.)",
        markup=False,
    )
    return name


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
        _add_accounts(emu)
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
    if emulator is not None:
        _add_accounts(emulator)
    app.emulator = emulator
    app.use_profile_store(demo_store(base_url, login, key), add=lambda: add_demo_profile(app))
    app.profile = DEMO_PROFILES[0][0]
    return app

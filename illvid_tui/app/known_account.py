"""The app's side of core.account_cache: the last run's account at once, this one's kept.

`known_state()` runs before the first frame (a small JSON read: no httpx,
no keyring, not even core.credentials' stores: core.env_credentials is enough);
`saver()` gives the write to run in a thread after an answer. The demo keeps nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from illvid_tui.core import account_cache
from illvid_tui.core.account import AccountState
from illvid_tui.core.env_credentials import Credentials, from_env
from illvid_tui.core.settings import Settings


def known_state(
    settings: Settings, given: Credentials | None
) -> tuple[AccountState, str | None] | None:
    """The last run's account state and upload server, for the credentials given or in
    the environment (their login), else for the last account seen on this base URL."""
    if settings.demo:
        return None
    if given is None:
        given = from_env()
    login = given.login if given is not None and given.login else None
    known = account_cache.read(settings.account_cache_path, settings.base_url, login)
    if known is None:
        return None
    when = known.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    state = AccountState(info=known.info, refreshed=when, saved_at=known.saved_at)
    return state, known.upload_server


def saver(
    settings: Settings,
    account: AccountState,
    upload_server: str | None,
    account_id: str | None,
    now: dt.datetime,
) -> Callable[[], None] | None:
    """The write that keeps this run's answer for the next start (None: nothing to keep)."""
    info = account.info
    if settings.demo or info is None or account_id is None or account.saved_at is not None:
        return None  # no answer yet, or still the last run's data
    known = account_cache.Known(account_id, info, upload_server, now.astimezone(dt.UTC))
    return partial(account_cache.write, settings.account_cache_path, known)

"""The account: its partition in the state database, and the app's last `account_info` answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from illvid_tui.api.errors import IllvidError
    from illvid_tui.api.models import AccountInfo


def partition(base_url: str, login: str) -> str:
    """The account's key in the state database (queue, file checks): ``"<base_url>|<login>"``.

    Both front-ends name an account this way; with a key and no login, the
    login `account_info` answers is the one to use.
    """
    return f"{base_url}|{login}"


@dataclass(frozen=True)
class AccountState:
    """The app's last `account_info` answer (the Account screen shows it)."""

    info: AccountInfo | None = None
    #: The last call's error (None after a success); older `info` is kept.
    error: IllvidError | None = None
    #: Local time of the last successful answer ("" before the first).
    refreshed: str = ""
    #: True while a call is in flight.
    loading: bool = False
    #: Set while `info` is an earlier run's answer (core.account_cache): when it came.
    saved_at: dt.datetime | None = None


__all__ = ["AccountState", "partition"]

"""What the app knows of the account: the last `account_info` answer and how it went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from illvid_tui.api.errors import IllvidError
    from illvid_tui.api.models import AccountInfo


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


__all__ = ["AccountState"]

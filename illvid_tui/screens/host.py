"""What a screen may ask of the app it runs in, as one typed protocol.

Screens never import the app (it sits above them): they reach it as `host(self)`,
typed `AppHost`. `illvid_tui.app` checks (with mypy) that `IllvidApp` offers all of it.
Textual's own App API (notify, push_screen, watch...) stays on `self.app`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from illvid_tui.api.client import IllvidClient
    from illvid_tui.core.account import AccountState
    from illvid_tui.core.db import Database
    from illvid_tui.core.poller import Poller


class AppHost(Protocol):
    """The app's services and state a screen reads (watch the reactive ones on `self.app`)."""

    @property
    def client(self) -> IllvidClient | None:
        """The API client of the signed-in account (None until credentials are known)."""

    @property
    def db(self) -> Database:
        """The state database."""

    @property
    def poller(self) -> Poller | None:
        """The upload poller (None until connected)."""

    @property
    def account_id(self) -> str | None:
        """The partition key of the connected account (reactive: watch `account_id`)."""

    @property
    def account(self) -> AccountState:
        """The last `account_info` answer (reactive: watch `account`)."""

    @property
    def connection(self) -> tuple[str, str]:
        """(state, detail) of the connection (reactive: watch `connection`)."""

    def now(self) -> dt.datetime:
        """The current local time (fixed in tests)."""

    def today(self) -> dt.date:
        """Today's date (fixed in snapshots)."""

    def file_link(self, code: str) -> str:
        """The public link of a file on the configured host."""

    def refresh_account(self) -> None:
        """Ask `account_info` again; the answer lands in `account`."""

    def ask_credentials(
        self, *, no_keyring: bool = False, problem: str = "", change: bool = False
    ) -> None:
        """Show the login screen."""

    def forget_credentials(self) -> None:
        """Delete the stored login and key."""


def host(node: DOMNode) -> AppHost:
    """The app `node` runs in, as what screens may ask of it."""
    return cast("AppHost", node.app)


__all__ = ["AppHost", "host"]

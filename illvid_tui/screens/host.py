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
    from illvid_tui.core.local_uploads import LocalUploads
    from illvid_tui.core.poller import Poller
    from illvid_tui.core.profiles import ProfileStore
    from illvid_tui.core.settings import Settings


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
    def local_uploads(self) -> LocalUploads | None:
        """The local-file upload runner (None until connected)."""

    @property
    def account_id(self) -> str | None:
        """The partition key of the connected account (reactive: watch `account_id`)."""

    @property
    def account(self) -> AccountState:
        """The last `account_info` answer (reactive: watch `account`)."""

    @property
    def connection(self) -> tuple[str, str]:
        """(state, detail) of the connection (reactive: watch `connection`)."""

    @property
    def upload_server(self) -> str | None:
        """The account's upload server as last known (this run, or the last one's)."""

    def remember_upload_server(self, url: str) -> None:
        """The upload server answered `url`: keep it (shown at the next start too)."""

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

    # -- profiles (watch `profile`, `profile_states`, `profiles_revision` on `self.app`) --

    @property
    def settings(self) -> Settings:
        """How this run is set up (its base URL is the profile's in use)."""

    @property
    def login(self) -> str:
        """The API login in use ("" until known)."""

    @property
    def profile(self) -> str | None:
        """The profile in use: a name, "" for the environment's credentials, None: no profiles."""

    @property
    def profile_states(self) -> dict[str, tuple[str, str]]:
        """Profile name -> its last connection state this session (absent: not tried)."""

    @property
    def profile_store(self) -> ProfileStore:
        """profiles.toml and the last-used profile."""

    def switch_profile(self, name: str) -> None:
        """Sign in as profile `name` ("": the environment's credentials)."""

    def add_profile(self) -> None:
        """Ask for a new profile's name, base URL, login and key (the login screen)."""

    def rename_profile(self, old: str, new: str) -> None:
        """Rename a profile; its key moves with it."""

    def remove_profile(self, name: str) -> None:
        """Remove a profile and its stored key."""


def host(node: DOMNode) -> AppHost:
    """The app `node` runs in, as what screens may ask of it."""
    return cast("AppHost", node.app)


__all__ = ["AppHost", "host"]

"""The app's session: start-up after the first frame, credentials, connecting.

`SessionApp` holds the client, the login, the connection state the header
shows (from the client's events) and the last `account_info` answer.
`IllvidApp` (app/app.py) builds on it with sections, keys and failure
handling. httpx and keyring are imported in thread workers only, after the
first frame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.reactive import reactive

from illvid_tui.api import redact
from illvid_tui.api.errors import IllvidError, NetworkError, PermissionDeniedError
from illvid_tui.core import logs
from illvid_tui.core.account import AccountState
from illvid_tui.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.api.client import ClientEvent, IllvidClient
    from illvid_tui.api.models import AccountInfo
    from illvid_tui.core.credentials import Credentials
    from illvid_tui.core.profiles import Profile
    from illvid_tui.screens.login import LoginEntered, ProfileTarget


def _rejected_text(source: str) -> str:
    """The login screen's line when the server refuses credentials found at start-up."""
    where = {
        "env": "ILLVID_API_LOGIN / ILLVID_API_KEY from the environment",
        "keyring": "the login and key stored in the keyring",
        "file": "the login and key in the plain credentials file",
    }.get(source, "the login and key")
    text = (
        f"The server refused {where} (403, permission denied). Enter a working login and "
        "key from the User Panel, User Settings."
    )
    if source == "env":
        text += " Fix or unset the variables too: they win over the keyring."
    return text


class SessionApp(App[None]):
    """An App that finds credentials, connects and tracks the connection."""

    #: The partition key of the connected account, ``f"{base_url}|{login}"``.
    account_id: reactive[str | None] = reactive(None)
    #: The API login shown in the header ("" until known).
    login: reactive[str] = reactive("")
    #: (state, detail) for the header: state is ok, connecting, retrying,
    #: offline, rejected or signed out; detail is a line for people.
    connection: reactive[tuple[str, str]] = reactive(("connecting", "connecting"))
    #: The last account_info answer; set by the app at start-up and by `refresh_account()`.
    account: reactive[AccountState] = reactive(AccountState, always_update=True)
    #: The profile in use: its name; "" for the environment's credentials (an unnamed
    #: profile); None without profiles (--demo, tests that pass credentials).
    profile: reactive[str | None] = reactive(None)
    #: Bumped whenever profiles.toml or a profile's stored key changes.
    profiles_revision: reactive[int] = reactive(0)

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client: IllvidClient | None = None
        self.transport = transport
        #: Builds `transport` in a thread after the first frame (--demo's emulator).
        self._transport_factory = transport_factory
        self._initial = credentials
        if credentials is not None:
            # Masked from the start: a crash before the client exists must not print it.
            redact.register_secret(credentials.key)
        self._services_started = False
        self._to_store: tuple[Profile, Credentials, bool] | None = None
        #: The profile the login screen signs in as, when not the one in use (add, switch).
        self._login_for: ProfileTarget | None = None
        #: account_id to set once account_info has answered (see connect()).
        self._pending_account_id: str | None = None
        #: Key-only credentials: the partition waits for account_info's login.
        self._awaiting_login = False
        self._source = ""
        #: Start-up work done in threads, joined in _maybe_connect().
        self._credentials: Credentials | None = None
        self._http_ready = False
        self._next_transport: httpx.AsyncBaseTransport | None = None
        #: The user's keymap file as applied (binding id -> keys; {} without one).
        self.user_keymap: dict[str, str] = {}
        #: What the login screen returned, while the session checks it (see _check_login).
        self._entered: LoginEntered | None = None
        #: No usable keyring (found at start-up): the login screen offers the plain file.
        self._no_keyring = False
        #: The account's upload server, as last known (this run or the last one's cache).
        self.upload_server: str | None = None

    def now(self) -> dt.datetime:
        """The current local time (`IllvidApp` makes it injectable)."""
        return dt.datetime.now().astimezone()

    def start_services(self) -> None:
        """Start app-wide background work; called once, when `account_id` is first set."""

    # -- what the last run learned ---------------------------------------------

    def remember_upload_server(self, url: str) -> None:
        """The upload server answered: keep it for the next start too."""
        self.upload_server = url
        self._save_known()

    def _save_known(self) -> None:
        """Keep this run's answer for the next start's first frame (app/known_account.py)."""

    # -- start-up ------------------------------------------------------------

    def _start(self) -> None:
        """Find credentials and prepare HTTP in threads; connect when both are done."""
        from illvid_tui.core.env_credentials import from_env

        initial, self._initial = self._initial, None
        credentials = initial if initial is not None else from_env()
        if initial is None and credentials is not None:
            self.profile = ""  # the environment's credentials override every profile
            redact.register_secret(credentials.key)
        # Two threads while the terminal shows the first frame: httpx's import
        # and the transport (a TLS context for https) in one, keyring in the
        # other; connect() runs when both are done.
        self._prepare_http()
        if credentials is not None:
            self._credentials = credentials
        else:
            self.connection = ("connecting", "looking for credentials")
            self._load_credentials()

    @work(thread=True, exclusive=True, group="app.prepare", exit_on_error=False)
    def _prepare_http(self) -> None:
        from illvid_tui.api.transport import import_httpx

        logs.setup(self.settings.log_path)
        import_httpx()
        if self.transport is None and self._transport_factory is not None:
            self.transport = self._transport_factory()
        transport: httpx.AsyncBaseTransport | None = None
        try:
            if self.transport is None:
                transport = self._make_transport()
                if transport is None:
                    # Through a proxy, httpx's own transport: what its first
                    # request would import on the event loop (~70 ms).
                    import anyio._backends._asyncio  # noqa: F401
                    import httpcore._async.http11  # noqa: F401
                    import httpcore._backends.anyio  # noqa: F401
        except Exception:  # noqa: BLE001 - connect() builds it again on the loop and reports
            transport = None
        from illvid_tui.core import keymap

        problems: list[str] = []
        try:
            found: dict[str, str] | str = keymap.load(self.settings.keymap_path)
        except keymap.KeymapError as exc:
            found = str(exc)
        if isinstance(found, dict) and found:
            from illvid_tui.screens import keymap_check

            # Imports every screen (a keymap file only): they load faster later too.
            scopes = [*keymap_check.our_scopes(), keymap_check.scope_of(type(self))]
            problems = keymap_check.problems(found, scopes)
        self.call_from_thread(self._http_prepared, found, problems, transport)

    def _http_prepared(
        self,
        found: dict[str, str] | str,
        problems: list[str],
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        self._next_transport = transport
        if isinstance(found, str):
            self.notify(found, title="Keymap ignored", severity="warning")
        elif found:
            self.user_keymap = found
            self.set_keymap(found)
        if problems:
            path = self.settings.keymap_path
            self.notify(
                "\n".join(problems),
                title=f"Keymap {path}",
                severity="warning",
                timeout=20,
                markup=False,
            )
        self._http_ready = True
        self._maybe_connect()

    @work(thread=True, exclusive=True, group="app.next_transport", exit_on_error=False)
    def _prepare_next_transport(self) -> None:
        try:
            transport = self._make_transport()
        except Exception:  # noqa: BLE001 - connect() builds it again on the loop and reports
            return
        self.call_from_thread(self._keep_next_transport, transport)

    def _keep_next_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        if transport is None:
            return
        if self._next_transport is None:
            self._next_transport = transport
        else:
            self.run_worker(transport.aclose(), group="app.close", exit_on_error=False)

    def _make_transport(self) -> httpx.AsyncBaseTransport | None:
        """The HTTP transport of a new client (blocking for https: a TLS context, ~35 ms).

        None through a proxy: the client takes httpx's own (api/http1.py)."""
        from illvid_tui.api.transport import make_transport

        return make_transport(self.settings.base_url)

    def _maybe_connect(self) -> None:
        if self._http_ready and self._credentials is not None:
            credentials, self._credentials = self._credentials, None
            self.connect(credentials)

    def _load_credentials(self) -> object:
        """Find the credentials of the profile to use (a worker: app/signin.py)."""
        raise NotImplementedError

    def ask_credentials(
        self, *, no_keyring: bool = False, problem: str = "", change: bool = False, login: str = ""
    ) -> None:
        """Show the login screen (app/signin.py)."""
        raise NotImplementedError

    # -- connecting ----------------------------------------------------------

    def connect(self, credentials: Credentials, *, info: AccountInfo | None = None) -> None:
        """Use these credentials from now on (a new client; the old one closes).

        The app asks `account_info` once (unless `info` is that answer
        already, from the login screen); `account_id` is set and the services
        start when it has answered, or failed for a reason other than a 403
        (offline: the local data still shows, and the screens retry).
        """
        from illvid_tui.api.client import IllvidClient

        old = self.client
        transport, self._next_transport = self._next_transport, None
        if transport is None:
            transport = self.transport if self.transport is not None else self._make_transport()
        self.client = IllvidClient(
            key=credentials.key,
            login=credentials.login or None,
            base_url=self.settings.base_url,
            transport=transport,
        )
        self.client.listeners.append(self._client_event)
        if old is not None:
            # Its calls still in flight must not set the new account's connection state.
            if self._client_event in old.listeners:
                old.listeners.remove(self._client_event)
            self.run_worker(old.aclose(), group="app.close", exit_on_error=False)
        known = self.account.info if self.account.saved_at is not None else None
        if known is not None and credentials.login and known.login != credentials.login:
            # The last run's data was another account's.
            self.account, self.upload_server = AccountState(), None
        self.login = credentials.login or (known.login if known is not None else "")
        self._source = credentials.source
        # Key-only credentials (login "") would all share one partition: the
        # login account_info answers names it instead.
        self._awaiting_login = not credentials.login
        self._pending_account_id = (
            None if self._awaiting_login else self._partition(credentials.login)
        )
        if info is not None:
            self.connection = ("ok", "connected")
            self._accepted(info)
        else:
            self.connection = ("connecting", "connecting")
            self.refresh_account()

    def refresh_account(self) -> None:
        """Ask `account_info` again; the answer lands in `account` (and the header)."""
        if self.client is None:
            return
        self.account = replace(self.account, loading=True)
        self._fetch_account()

    @work(exclusive=True, group="app.account", exit_on_error=False)
    async def _fetch_account(self) -> None:
        client = self.client
        if client is None:
            return
        try:
            info = await client.account_info()
        except IllvidError as error:
            if client is not self.client:
                return
            self.account = replace(self.account, error=error, loading=False)
            if isinstance(error, PermissionDeniedError) and self.account_id is None:
                # Never accepted: the login screen says why (the demo signs in by itself).
                self.ask_credentials(problem=_rejected_text(self._source))
            else:
                self._settle_account()
            return
        if client is self.client:
            self._accepted(info)

    def _partition(self, login: str) -> str:
        from illvid_tui.core.account import partition

        return partition(self.settings.base_url, login)

    def _accepted(self, info: AccountInfo) -> None:
        if self._awaiting_login:
            self._awaiting_login = False
            self._pending_account_id = self._partition(info.login)
            if info.login:
                self.login = info.login
        when = self.now().strftime("%Y-%m-%d %H:%M:%S")
        earlier = self.account.info if self.account.saved_at is not None else None
        if earlier is not None and earlier.login != info.login:
            self.upload_server = None  # another account's: the screen asks again
        self.account = AccountState(info=info, refreshed=when)
        self._save_known()
        # The data paints first; the sections' loads and the poller start after.
        self.call_after_refresh(self._settle_account)

    def _settle_account(self) -> None:
        """Take the account the answer named (`account_id`); start the services once."""
        if self._pending_account_id is not None:
            self.account_id, self._pending_account_id = self._pending_account_id, None
        if self.account_id is not None and not self._services_started:
            self._services_started = True
            self.start_services()

    # -- connection state from the client's events ----------------------------

    def _client_event(self, event: ClientEvent) -> None:
        from illvid_tui.api.client import CallFinished, RetryNotice

        if isinstance(event, RetryNotice):
            self.connection = ("retrying", event.describe())
        elif isinstance(event, CallFinished):
            error = event.error
            if self.connection[0] == "rejected" and event.op != "account_info":
                return  # only account_info tells whether the key is good again
            if error is None:
                held = self.account.error
                if event.op == "account_info" or held is None or held.retryable:
                    self.connection = ("ok", "connected")
                # else Account shows what the server answered instead of the
                # account (404, 451, an unreadable body): so does the header.
            elif isinstance(error, PermissionDeniedError) and event.op == "account_info":
                self.connection = ("rejected", "credentials rejected")
            elif isinstance(error, NetworkError):
                self.connection = ("offline", "offline")
            elif event.op == "account_info":
                # The server answered, but not with the account (404, 451, an
                # unreadable body, retries used up): not "connected".
                self.connection = ("error", f"{error.title.lower()} ({error.status})")
            elif error.retryable:
                self.connection = ("retrying", f"{error.title.lower()} ({error.status})")
            else:
                # The server answered (404, 451...): the connection itself is fine.
                self.connection = ("ok", "connected")

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        unused, self._next_transport = self._next_transport, None
        if unused is not None:
            await unused.aclose()

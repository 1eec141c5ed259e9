"""The Account screen: login, balance, every other field, the upload server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from illvid_tui.api.errors import (
    BandwidthExceededError,
    IllvidError,
    NetworkError,
    PermissionDeniedError,
)
from illvid_tui.core import account_cache, logs
from illvid_tui.screens.host import AppHost, host
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

if TYPE_CHECKING:
    import datetime as dt
    from decimal import Decimal

    from illvid_tui.api.models import AccountInfo
    from illvid_tui.core.account import AccountState

#: What Account says with no credentials (the login screen cancelled).
NOT_SIGNED_IN = "Not signed in, k to enter the login and key."
_SIZE_WORDS = ("storage", "size", "space", "traffic", "bandwidth")


def error_line(error: IllvidError) -> str:
    """ "Permission denied (403): Wrong API login or key" (the server's text once)."""
    line = f"{error.title} ({error.status})" if error.status else error.title
    if error.msg and error.msg.strip().lower() != error.title.lower():
        line += f": {error.msg.strip()}"
    return line


def money_text(money: Decimal | None) -> str:
    """The balance as the API gave it ("4050.00"), never through a float."""
    return "—" if money is None else format(money, "f")


def label(key: str) -> str:
    """A field name for people: "premium_expire" -> "Premium expire"."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def human_size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


def value_text(key: str, value: Any) -> Text:
    """A field's value as plain text (server text is never parsed as markup)."""
    if value is None or value == "":
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, Mapping | list | tuple):
        import json

        return Text(json.dumps(value, ensure_ascii=False, default=str))
    text = Text(str(value))
    if any(w in key.lower() for w in _SIZE_WORDS):
        raw = str(value).strip()
        if raw.isdigit():
            text.append(f"  ({human_size(int(raw))})", style="dim")
    return text


class AccountScreen(ForwardsWorkerErrors, Screen[None]):
    """Who is signed in, the balance, and what else the server tells about the account."""

    TITLE = "Account"
    DEFAULT_CSS = """
    AccountScreen #account-body { padding: 1 2; }
    AccountScreen #account-fields { height: auto; }
    AccountScreen #account-problem { height: auto; margin-top: 1; display: none; }
    AccountScreen #account-problem.shown { display: block; }
    AccountScreen .problem-error { border-left: thick $error; padding-left: 1; }
    AccountScreen .problem-wait { border-left: thick $warning; padding-left: 1; }
    AccountScreen #account-refreshed { height: auto; margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="account.refresh"),
        # Not in the footer (room for the section keys at 80 columns): `?` lists them.
        Binding("k", "change_login", "Enter login/key", show=False, id="account.login"),
        Binding("F", "forget", "Forget stored key", show=False, id="account.forget"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.info: AccountInfo | None = None
        self.upload_server: str | None = None
        self.server_problem: str = ""
        self.refreshed: str = ""
        #: When the shown data came, while it is an earlier run's (None: this run's).
        self.saved_at: dt.datetime | None = None

    @property
    def illvid(self) -> AppHost:
        """What the screen asks of the app."""
        return host(self)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="account-body"):
            yield Static(id="account-fields")
            yield Static(id="account-problem")
            yield Static(id="account-refreshed")
        yield AppFooter()

    def on_mount(self) -> None:
        self.upload_server = self.illvid.upload_server
        self._show_fields()
        self.watch(self.app, "account", self._account_state)
        self.watch(self.app, "account_id", self._account_changed)
        self.watch(self.app, "connection", self._connection_changed, init=False)

    def _account_state(self, state: AccountState) -> None:
        """The app's account_info answer (fetched at start-up, or after `r`)."""
        self.info, self.refreshed, self.saved_at = state.info, state.refreshed, state.saved_at
        if state.info is None:
            self.upload_server = None  # another account's (a new sign-in)
        self._show_fields()
        if state.loading and state.saved_at is not None:
            self._show_problem("Asking the server for the current data…", wait=True)
            self.call_after_refresh(logs.bench_mark, "account")
        elif state.loading:
            self._show_problem("Loading…", wait=True)
        elif state.error is not None:
            self._show_error(state.error)
        elif state.info is not None:
            self._show_problem("")
            self.call_after_refresh(logs.bench_mark, "account")
        elif self.illvid.client is None and self.illvid.connection[0] == "signed out":
            self._show_problem(NOT_SIGNED_IN)
        elif self.illvid.account_id is None:
            self._show_problem("Signing in…", wait=True)

    def _account_changed(self, account_id: str | None) -> None:
        if account_id is not None:
            self._load_server()

    def _connection_changed(self, value: tuple[str, str]) -> None:
        state, detail = value
        if state == "retrying" and self.illvid.account.loading:
            self._show_problem(f"Waiting: {detail}…", wait=True)

    # -- actions -------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.illvid.client is None:
            self._show_problem(NOT_SIGNED_IN)
            return
        self.illvid.refresh_account()
        self._load_server()

    def action_change_login(self) -> None:
        self.illvid.ask_credentials(change=True)

    def action_forget(self) -> None:
        self.illvid.forget_credentials()

    # -- loading ---------------------------------------------------------------

    @work(exclusive=True, group="account.server", exit_on_error=False)
    async def _load_server(self) -> None:
        """The upload server (the account itself comes from the app's `account`)."""
        client = self.illvid.client
        if client is None:
            return
        try:
            self.upload_server, self.server_problem = (await client.get_upload_server()).url, ""
        except IllvidError as error:
            self.server_problem = f"not available: {error_line(error)}"
            if self.saved_at is None:
                self.upload_server = None  # not the earlier run's: it did not answer now
        else:
            self.illvid.remember_upload_server(self.upload_server)
        self._show_fields()

    # -- drawing ---------------------------------------------------------------

    def _show_fields(self) -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        info = self.info
        if info is None:
            table.add_row("Login", Text("—", style="dim"))
            table.add_row("Balance", Text("—", style="dim"))
        else:
            table.add_row("Login", Text(info.login or "—"))
            table.add_row("Balance", Text(money_text(info.money)))
            for key, value in info.extra.items():
                table.add_row(Text(label(str(key))), value_text(str(key), value))
        if self.upload_server:
            table.add_row("Upload server", Text(self.upload_server))
        elif self.server_problem:
            table.add_row("Upload server", Text(self.server_problem, style="dim"))
        self.query_one("#account-fields", Static).update(table)
        when = self.refreshed or "never"
        if self.saved_at is not None:
            age = account_cache.age_text(self.saved_at, self.illvid.now().astimezone())
            when += f" ({age}, by an earlier run)"
        self.query_one("#account-refreshed", Static).update(
            Text(f"Last refreshed: {when}   (r refresh, k login/key, ? all keys)")
        )

    def _show_error(self, error: IllvidError) -> None:
        if isinstance(error, PermissionDeniedError):
            step = "Press k to enter the API login and key again."
        elif isinstance(error, BandwidthExceededError):
            step = "The server is busy (peak hours). Press r to try again in a little while."
        elif isinstance(error, NetworkError):
            step = "Check the connection, then press r."
        else:
            step = error.hint or "Press r to try again."
        self._show_problem(f"{error_line(error)}\n{step}")

    def _show_problem(self, message: str, *, wait: bool = False) -> None:
        box = self.query_one("#account-problem", Static)
        box.update(Text(message))
        box.set_class(bool(message), "shown")
        box.set_class(bool(message) and not wait, "problem-error")
        box.set_class(bool(message) and wait, "problem-wait")

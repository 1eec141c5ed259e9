"""The login screen: API login and key (masked), checked with account_info first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Static

from illvid_tui.api.client import IllvidClient
from illvid_tui.api.errors import IllvidError, PermissionDeniedError
from illvid_tui.core.credentials import NO_KEYRING_HELP, Credentials
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

if TYPE_CHECKING:
    from illvid_tui.app import IllvidApp


class LoginScreen(ForwardsWorkerErrors, Screen[None]):
    """Asks for the API login and key; nothing is stored before the server accepts them."""

    TITLE = "Sign in"
    DEFAULT_CSS = """
    LoginScreen #login-box { align: center top; }
    LoginScreen #login-form { width: 80; max-width: 100%; height: auto; padding: 1 2 0 2; }
    LoginScreen .login-row { height: 3; }
    LoginScreen .login-row Label { width: 7; padding-top: 1; }
    LoginScreen .login-row Input { width: 1fr; }
    LoginScreen #login-plain { display: none; margin-top: 1; }
    LoginScreen #login-plain.shown { display: block; }
    LoginScreen #login-note { height: auto; margin-top: 1; color: $text-muted; }
    LoginScreen #login-status { height: auto; margin-top: 1; display: none; }
    LoginScreen #login-status.shown { display: block; }
    LoginScreen #login-status.error { border-left: thick $error; padding-left: 1; }
    LoginScreen #login-buttons { height: auto; margin-top: 1; }
    LoginScreen #login-buttons Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
    ]

    def __init__(self, *, no_keyring: bool = False, problem: str = "") -> None:
        super().__init__()
        self.no_keyring = no_keyring
        self.problem = problem

    @property
    def illvid(self) -> IllvidApp:
        from illvid_tui.app import IllvidApp

        assert isinstance(self.app, IllvidApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="login-box"), VerticalScroll(id="login-form"):
            yield Static(
                Text(
                    "The API login and key are in the illvid User Panel, User Settings. "
                    "They are checked with the server before they are kept."
                )
            )
            with Horizontal(classes="login-row"):
                yield Label("Login")
                yield Input(placeholder="API login", id="login-login")
            with Horizontal(classes="login-row"):
                yield Label("Key")
                yield Input(
                    placeholder="API key (hidden as you type)", password=True, id="login-key"
                )
            plain = Checkbox(
                "Save them in a plain file instead (mode 0600, not encrypted)",
                id="login-plain",
                compact=True,
            )
            plain.BUTTON_INNER = " "
            yield plain
            yield Static(id="login-note")
            yield Static(id="login-status")
            with Horizontal(id="login-buttons"):
                yield Button("Sign in", id="login-submit", variant="primary")
                yield Button("Cancel", id="login-cancel")
        yield AppFooter()

    def on_mount(self) -> None:
        self.set_no_keyring(self.no_keyring)
        if self.problem:
            self._status(self.problem, error=True)
        self.query_one("#login-login", Input).focus()
        if not self.no_keyring:
            # Credentials from the environment skip the keyring: find out now.
            self._check_keyring()

    @work(thread=True, exclusive=True, group="login.keyring", exit_on_error=False)
    def _check_keyring(self) -> None:
        from illvid_tui.core.credentials import keyring_usable

        if not keyring_usable():
            self.app.call_from_thread(self.set_no_keyring, True)

    def set_no_keyring(self, no_keyring: bool) -> None:
        """Say plainly that the key is kept for this session only, and the ways out."""
        self.no_keyring = no_keyring
        note = self.query_one("#login-note", Static)
        note.update(
            Text(NO_KEYRING_HELP if no_keyring else "They will be kept in the system keyring.")
        )
        self.query_one("#login-plain", Checkbox).set_class(no_keyring, "shown")

    def _status(self, message: str, *, error: bool = False) -> None:
        box = self.query_one("#login-status", Static)
        box.update(Text(message))
        box.set_class(bool(message), "shown")
        box.set_class(error, "error")

    @on(Checkbox.Changed, "#login-plain")
    def _mark(self, event: Checkbox.Changed) -> None:
        # Textual marks a checked box by colour only; NO_COLOR needs a visible X.
        event.checkbox.BUTTON_INNER = "X" if event.value else " "
        event.checkbox.refresh()

    @on(Input.Submitted, "#login-login")
    def _next_field(self) -> None:
        self.query_one("#login-key", Input).focus()

    @on(Input.Submitted, "#login-key")
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        if not self.query_one("#login-key", Input).value.strip():
            self._status("Enter the API key.", error=True)
            self.query_one("#login-key", Input).focus()
            return
        self._status("Checking with the server…")
        self._verify()

    @on(Button.Pressed, "#login-cancel")
    def action_cancel(self) -> None:
        self.dismiss()

    @work(exclusive=True, group="login.verify", exit_on_error=False)
    async def _verify(self) -> None:
        # The key is read here, not passed in: a worker's arguments end up
        # in its description and the dev log.
        credentials = Credentials(
            self.query_one("#login-login", Input).value,
            self.query_one("#login-key", Input).value,
            source="login screen",
        )
        app = self.illvid
        try:
            async with IllvidClient(
                key=credentials.key,
                login=credentials.login or None,
                base_url=app.settings.base_url,
                transport=app.transport,
                max_attempts=2,
            ) as client:
                info = await client.account_info()
        except PermissionDeniedError:
            self._status(
                "The server refused this login and key (403, permission denied). Copy "
                "them again from the User Panel, User Settings, and check the login too.",
                error=True,
            )
            self.query_one("#login-key", Input).focus()
            return
        except IllvidError as error:
            self._status(f"Could not check them: {error}\n{error.hint}", error=True)
            return
        plain = self.query_one("#login-plain", Checkbox).value and self.no_keyring
        self.query_one("#login-key", Input).value = ""
        app.connect(credentials, info=info)
        app.store_credentials(credentials, plain_file=plain)
        self.dismiss()

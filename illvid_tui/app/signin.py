"""Signing in: the profile to use, the login screen, keeping and forgetting keys.

`SignInApp` finds the credentials of the profile a run uses (core.signin:
the environment's override every profile; else --profile, $ILLVID_PROFILE,
the last used), checks what the login screen returns with `account_info`,
and keeps accepted credentials as a profile (profiles.toml, the key in the
keyring). keyring and the profile files are touched in thread workers only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work

from illvid_tui.api.errors import IllvidError, PermissionDeniedError
from illvid_tui.app.session import SessionApp

if TYPE_CHECKING:
    from illvid_tui.core.credentials import Credentials
    from illvid_tui.core.signin import Resolved
    from illvid_tui.screens.login import LoginEntered


class SignInApp(SessionApp):
    """The session, with credentials found, asked for and kept per profile."""

    @work(thread=True, exclusive=True, group="app.credentials", exit_on_error=False)
    def _load_credentials(self) -> None:
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        found: Resolved | str
        try:
            found = signin.resolve(self.settings)
            if found.choice.profile is not None:
                signin.store_of(self.settings).set_last_used(found.choice.name)
        except (ProfileError, OSError) as exc:
            found = str(exc)
        self.call_from_thread(self._credentials_loaded, found)

    def _credentials_loaded(self, found: Resolved | str) -> None:
        if isinstance(found, str):  # an unreadable profiles.toml: say so, sign in anyway
            self.notify(found, title="Profiles", severity="error", timeout=30, markup=False)
            self.ask_credentials()
            return
        self.use_profile(found.choice.name, found.choice.base_url)
        if found.migration.profile is not None and not found.migration.incomplete:
            self.notify(
                "The stored login and key are now the profile 'default' (profiles.toml in "
                f"{self.settings.config_dir}).",
                markup=False,
            )
        if found.credentials is not None:
            self._credentials = found.credentials
            self._maybe_connect()
        else:
            choice = found.choice
            if choice.profile is not None or self.settings.profile is not None:
                from illvid_tui.screens.login import ProfileTarget

                # Named on the login screen (a fresh install's "default" goes unsaid).
                self._login_for = ProfileTarget(choice.name, choice.base_url)
            login = found.choice.profile.login if found.choice.profile else ""
            problem = found.loaded.problem
            self.ask_credentials(no_keyring=found.loaded.no_keyring, problem=problem, login=login)

    def use_profile(self, name: str, base_url: str) -> None:
        """Make `name` the profile in use, on `base_url` (the next connect() talks to it)."""
        self.profile = name
        if base_url != self.settings.base_url:
            self.settings = replace(self.settings, base_url=base_url)
            unused, self._next_transport = self._next_transport, None
            if unused is not None:  # built for the other base URL
                self.run_worker(unused.aclose(), group="app.close", exit_on_error=False)

    def ask_credentials(
        self, *, no_keyring: bool = False, problem: str = "", change: bool = False, login: str = ""
    ) -> None:
        """Show the login screen (on top of the current section); its answer comes back here."""
        from illvid_tui.screens.login import LoginScreen

        if self.settings.demo:
            self.notify("The demo signs in by itself; no login or key is needed.")
            return
        self._no_keyring = self._no_keyring or no_keyring
        if not change and self.connection[0] != "rejected":
            self.connection = ("signed out", "signed out")
        if not isinstance(self.screen, LoginScreen):
            screen = LoginScreen(
                no_keyring=self._no_keyring, problem=problem, login=login, target=self._login_for
            )
            self.push_screen(screen, self._login_entered)
        if self.transport is None and self._http_ready and self._next_transport is None:
            # connect() follows the login screen: build its transport while the user types.
            self._prepare_next_transport()

    def _login_entered(self, entered: LoginEntered | None) -> None:
        if entered is None:
            self._login_for = None
            # Cancelled: the screens below say what now (not "Signing in…" for ever).
            if self.client is None:
                self.connection = ("signed out", "signed out")
            self.account = replace(self.account, loading=False)
            return
        if self._login_for is not None and entered.target is not None:
            self._login_for = entered.target  # asked again after a refusal: keep what was typed
        self._entered = entered
        self._check_login()

    @work(exclusive=True, group="app.check_login", exit_on_error=False)
    async def _check_login(self) -> None:
        """Check what the login screen returned; connect and store if accepted, else ask again."""
        from illvid_tui.api.client import IllvidClient

        # The key is taken from here, not passed in: a worker's arguments end up
        # in its description and the dev log.
        entered, self._entered = self._entered, None
        if entered is None:
            return
        credentials = entered.credentials
        try:
            async with IllvidClient(
                key=credentials.key,
                login=credentials.login or None,
                base_url=self._login_base_url(entered),
                transport=self.transport,
                max_attempts=2,
            ) as client:
                info = await client.account_info()
        except PermissionDeniedError:
            self.ask_credentials(
                problem="The server refused this login and key (403, permission denied). Copy "
                "them again from the User Panel, User Settings, and check the login too.",
                change=True,
                login=credentials.login,
            )
            return
        except IllvidError as error:
            self.ask_credentials(
                problem=f"Could not check them: {error}\n{error.hint}",
                change=True,
                login=credentials.login,
            )
            return
        target, self._login_for = entered.target, None
        if target is not None:  # another profile than the one in use (added, switched to)
            self.use_profile(target.name, target.base_url)
        self.connect(credentials, info=info)
        self.store_credentials(credentials, plain_file=entered.plain_file)

    def _login_base_url(self, entered: LoginEntered) -> str:
        return entered.target.base_url if entered.target is not None else self.settings.base_url

    def store_credentials(self, credentials: Credentials, *, plain_file: bool = False) -> None:
        """Keep accepted credentials as the profile in use (the environment's: as "default").

        The profile goes to profiles.toml; its key to the keyring, else this
        session only (or the opted-in plain file).
        """
        from illvid_tui.core.profiles import DEFAULT_NAME, Profile

        name = self.profile or self.settings.profile or DEFAULT_NAME
        self.profile = name
        profile = Profile(name, self.settings.base_url, credentials.login or self.login)
        self._to_store = (profile, credentials, plain_file)
        self._store_credentials()

    @work(thread=True, exclusive=True, group="app.store", exit_on_error=False)
    def _store_credentials(self) -> None:
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        pending, self._to_store = self._to_store, None
        if pending is None:
            return
        profile, credentials, plain_file = pending
        try:
            stored = signin.save_profile(
                signin.store_of(self.settings), profile, credentials, plain_file=plain_file
            )
        except (ProfileError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        name = profile.name
        if stored.where == "file":
            message = (
                f"Profile {name}: saved in the plain file {stored.path} (mode 0600): anyone "
                "with root can read it."
            )
            severity = "warning"
        elif stored.where == "keyring":
            message, severity = f"Profile {name}: saved in the system keyring.", "information"
        else:
            message = f"Profile {name}: no usable keyring, the key is kept for this session only."
            severity = "warning"
        self.call_from_thread(self._stored, message, severity)

    def _stored(self, message: str, severity: str) -> None:
        self.profiles_revision += 1
        self.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def forget_credentials(self) -> None:
        """Delete the stored login and key (keyring and plain file)."""
        if self.settings.demo:
            self.notify("The demo stores no credentials.")
            return
        self._forget_credentials()

    @work(thread=True, exclusive=True, group="app.forget", exit_on_error=False)
    def _forget_credentials(self) -> None:
        from illvid_tui.core import signin

        name = self.profile
        removed = signin.forget_key(signin.store_of(self.settings), name) if name else []
        message = (
            f"Profile {name}: forgot the stored key ({', '.join(removed)}). "
            "This session stays signed in until you quit."
            if removed
            else "No stored key found (the environment's are not touched)."
        )
        self.call_from_thread(self._stored, message, "information")

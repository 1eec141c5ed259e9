"""Several accounts in one app: switching profiles, adding, renaming, removing them.

`ProfilesApp` builds on the sign-in (app/signin.py). A switch is complete at
once: a new client with the profile's key, `account_id` set to its account
before the server answers (every section and the poller follow it, so nothing
of the old account stays in view), the header shows the profile. The old
account's uploads keep their rows in the state database and are polled again
when their profile is in use again. Each profile's connection state, once
tried, is kept for the profiles screen. core.profiles (tomllib) and
core.signin are imported where they are used, after the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import SystemCommand
from textual.reactive import reactive

from illvid_tui.app.signin import SignInApp
from illvid_tui.core.account import AccountState
from illvid_tui.core.env_credentials import UNNAMED_LABEL

if TYPE_CHECKING:
    from textual.screen import Screen

    from illvid_tui.core.credentials import Credentials, Loaded
    from illvid_tui.core.profiles import Profile, ProfileStore

#: Connection states worth keeping per profile (the others are on the way to one).
_KEPT = ("ok", "rejected", "offline", "retrying")


class ProfilesApp(SignInApp):
    """The signed-in session, switchable between profiles."""

    #: How the header names the profile in use ("" without profiles: the demo).
    profile_label: reactive[str] = reactive("")
    #: Profile name -> its last connection state this session ("" is the environment's).
    profile_states: reactive[dict[str, tuple[str, str]]] = reactive(dict, always_update=True)

    # What the thread workers below act on (a worker's arguments would go to its description).
    _switching = ""
    _renaming = ("", "")
    _removing = ""
    #: The base URL of the environment's credentials, kept while another profile is in use.
    _env_url: str | None = None
    #: A store the factory gave (the demo's, in memory); None: the settings' folders.
    _given_store: ProfileStore | None = None
    #: What `a` does instead of the login screen (the demo's: an emulator account).
    _add_instead: Callable[[], str | None] | None = None

    @property
    def profile_store(self) -> ProfileStore:
        """profiles.toml and the last-used name (read again on each call), or the given store."""
        from illvid_tui.core.signin import store_of

        return self._given_store if self._given_store is not None else store_of(self.settings)

    def use_profile_store(
        self, store: ProfileStore, *, add: Callable[[], str | None] | None = None
    ) -> None:
        """Keep profiles in `store` instead of the config dir (the demo's in-memory ones).

        `add`, if given, adds a profile to `store` instead of the login screen
        and returns its name (None: it said why not); the app switches to it.
        """
        self._given_store = store
        self._add_instead = add

    def watch_profile(self, name: str | None) -> None:
        self.profile_label = "" if name is None else (name or UNNAMED_LABEL)

    def watch_connection(self, value: tuple[str, str]) -> None:
        name = self.profile
        if name is None or value[0] not in _KEPT:
            return
        before = self.profile_states.get(name)
        self.profile_states = {**self.profile_states, name: value}
        # (Before the first account is accepted, the login screen says it instead.)
        # (The demo's fixed keys are refused only by an injected fault, and k cannot change them.)
        refused = value[0] == "rejected" and self.account_id is not None and not self.settings.demo
        if refused and (before is None or before[0] != "rejected"):
            self.notify(
                f"Profile {name or UNNAMED_LABEL}: the server refused its key (403). k enters "
                "a new one; P lists the other profiles.",
                title="Key refused",
                severity="error",
                markup=False,
            )

    # -- switching -------------------------------------------------------------------

    def action_profiles(self) -> None:
        from illvid_tui.screens.profiles import ProfilesScreen

        if not isinstance(self.screen, ProfilesScreen):
            self.push_screen(ProfilesScreen())

    def switch_profile(self, name: str) -> None:
        """Sign in as profile `name` ("": the environment's credentials) at once."""
        if name == self.profile:
            return
        if not self._http_ready:
            self.notify("Still starting: try again in a moment.")
            return
        if name == "":
            from illvid_tui.core.credentials import from_env

            found = from_env()
            if found is None:
                self.notify("ILLVID_API_KEY is not set any more.", severity="warning")
                return
            self._activate("", self._env_url or self.settings.base_url, found)
            return
        self._switching = name
        self._load_profile_key()

    @work(thread=True, exclusive=True, group="app.switch", exit_on_error=False)
    def _load_profile_key(self) -> None:
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        store = self.profile_store
        try:
            profile = store.get(self._switching)
            loaded = signin.load_key(store, profile)
            if loaded.credentials is not None:
                store.set_last_used(profile.name)
        except (ProfileError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self._profile_key_loaded, profile, loaded)

    def _profile_key_loaded(self, profile: Profile, loaded: Loaded) -> None:
        from illvid_tui.screens.login import ProfileTarget

        if loaded.credentials is None:
            # Nothing stored: the login screen, for that profile; the switch follows it.
            self._login_for = ProfileTarget(profile.name, profile.base_url)
            problem = loaded.problem or f"No key is stored for the profile {profile.name}."
            self.ask_credentials(
                no_keyring=loaded.no_keyring, problem=problem, change=True, login=profile.login
            )
            return
        self._activate(profile.name, profile.base_url, loaded.credentials)

    def _activate(self, name: str, base_url: str, credentials: Credentials) -> None:
        if self.profile == "":
            self._env_url = self.settings.base_url
        self.use_profile(name, base_url)
        self.account = AccountState()  # the old account's answer must not show under this one
        self.connect(credentials)
        if credentials.login:
            # The account is known: sections and the poller follow now, not after the answer.
            self.account_id = self._partition(credentials.login)
        self.notify(f"Switched to the profile {name or UNNAMED_LABEL}.", markup=False)

    # -- adding, renaming, removing --------------------------------------------------

    def add_profile(self) -> None:
        """The login screen with a name and base URL: a new profile, switched to once accepted."""
        from illvid_tui.core.profiles import ProfileError
        from illvid_tui.screens.login import ProfileTarget

        if self._add_instead is not None:
            added = self._add_instead()
            if added is not None:
                self.profiles_revision += 1
                self.switch_profile(added)
            return
        try:
            taken = frozenset(self.profile_store.load())
        except ProfileError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        number = len(taken) + 1
        while f"profile-{number}" in taken:
            number += 1
        suggested = f"profile-{number}"
        self._login_for = ProfileTarget(suggested, self.settings.base_url, new=True, taken=taken)
        self.ask_credentials(change=True)

    def rename_profile(self, old: str, new: str) -> None:
        """Rename a profile (its key moves with it); the header follows if it is in use."""
        self._renaming = (old, new)
        self._rename()

    @work(thread=True, exclusive=True, group="app.rename", exit_on_error=False)
    def _rename(self) -> None:
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        old, new = self._renaming
        try:
            signin.rename_profile(self.profile_store, old, new)
        except (ProfileError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self._renamed, old, new)

    def _renamed(self, old: str, new: str) -> None:
        states = dict(self.profile_states)
        if old in states:
            states[new] = states.pop(old)
        self.profile_states = states
        if self.profile == old:
            self.profile = new
        self.profiles_revision += 1
        self.notify(f"Renamed the profile {old} to {new}.", markup=False)

    def remove_profile(self, name: str) -> None:
        """Remove a profile and its stored key (the screen asked first)."""
        if name == self.profile:
            self.notify(f"{name} is in use: switch to another profile first.", severity="warning")
            return
        self._removing = name
        self._remove()

    @work(thread=True, exclusive=True, group="app.remove", exit_on_error=False)
    def _remove(self) -> None:
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        name = self._removing
        try:
            removed = signin.remove_profile(self.profile_store, name)
        except (ProfileError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self._removed, name, removed)

    def _removed(self, name: str, removed: list[str]) -> None:
        self.profile_states = {k: v for k, v in self.profile_states.items() if k != name}
        self.profiles_revision += 1
        where = f" and its key ({', '.join(removed)})" if removed else ""
        self.notify(f"Removed the profile {name}{where}.", markup=False)

    # -- the command palette ---------------------------------------------------------

    def profile_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """ "Profiles" and one "Profile: switch to NAME" per other profile."""
        from illvid_tui.core.profiles import ProfileError

        yield SystemCommand(
            "Profiles", "Every account: switch, add, rename, remove (P)", self.action_profiles
        )
        try:
            names = list(self.profile_store.load())  # a small file, no keyring
        except ProfileError:
            return
        for name in names:
            if name != self.profile:
                yield SystemCommand(
                    f"Profile: switch to {name}",
                    "Sign in as this profile",
                    lambda n=name: self.switch_profile(n),
                )

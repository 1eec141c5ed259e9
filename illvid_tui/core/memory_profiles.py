"""Profiles kept in memory, keys too: the demo's, which never touch a file or the keyring.

`MemoryProfileStore` is a `ProfileStore` whose profiles.toml, last-used name
and keys are attributes of the object: everything `core.signin` and the app
do with a store works on it, and nothing of it outlives the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from illvid_tui.core.credentials import Credentials, Loaded
from illvid_tui.core.profiles import Profile, ProfileError, ProfileStore, check_name


class MemoryProfileStore(ProfileStore):
    """Profiles, the last used and each profile's key, in memory only."""

    def __init__(self, entries: Iterable[tuple[Profile, Credentials]] = ()) -> None:
        # No folder of the user's: a path that is never written (every writer is overridden).
        super().__init__(Path("/nonexistent/illvid-tui-memory"), Path("/nonexistent"))
        self._profiles: dict[str, Profile] = {}
        self._keys: dict[str, Credentials] = {}
        self._last: str | None = None
        for profile, credentials in entries:
            self._profiles[profile.name] = profile
            self._keys[profile.name] = credentials

    def exists(self) -> bool:
        return bool(self._profiles)

    def load(self) -> dict[str, Profile]:
        return dict(self._profiles)

    def save(self, profiles: Mapping[str, Profile]) -> None:
        self._profiles = dict(profiles)

    def last_used(self) -> str | None:
        return self._last

    def set_last_used(self, name: str) -> None:
        self._last = check_name(name)

    def remove(self, name: str) -> None:
        if self._profiles.pop(name, None) is None:
            raise ProfileError(f"no profile named {name!r}")
        if self._last == name:
            self._last = None

    # -- keys ------------------------------------------------------------------------

    def load_key(self, profile: Profile) -> Loaded:
        return Loaded(self._keys.get(profile.name))

    def save_key(self, name: str, credentials: Credentials, *, plain_file: bool) -> str | None:
        self._keys[check_name(name)] = credentials
        return None  # this session only

    def forget_key(self, name: str) -> list[str]:
        return ["this run's memory"] if self._keys.pop(name, None) is not None else []

    def move_key(self, old: str, new: str) -> None:
        if old in self._keys:
            self._keys[new] = self._keys.pop(old)

    def key_stored(self, name: str) -> bool | None:
        return name in self._keys

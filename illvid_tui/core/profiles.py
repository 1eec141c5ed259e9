"""Named profiles: several accounts in one install, each with its own key.

A profile is a name, an API base URL and a login, kept in ``profiles.toml``
in the config dir. It never holds a secret: each profile's key is in the
keyring, one entry per profile (see `illvid_tui.core.credentials`), or, where
there is no keyring and the user asked for it, in a 0600 file of its own.
The last profile used is a one-line file in the state dir.

Which profile a run uses (`choose`): ``ILLVID_API_KEY`` (with
``ILLVID_API_LOGIN``) overrides everything as an unnamed profile; else
``--profile NAME``, else ``ILLVID_PROFILE``, else the last used, else
``default`` or the first one. A profile keeps its own base URL; the
``--base-url`` option (or ``ILLVID_BASE_URL``) applies to a profile that does
not exist yet and to the unnamed one.

The queue and history of an account live in the state database under
``"<base_url>|<login>"``, whatever the profile is called, so renaming a
profile, or two profiles on one account, keep one history.

Plain Python (no Textual): the app and the CLI both use it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from illvid_tui.api.baseurl import base_url_problem
from illvid_tui.core.env_credentials import UNNAMED_LABEL as UNNAMED_LABEL
from illvid_tui.core.private import FILE_MODE, private_dir

if TYPE_CHECKING:
    from illvid_tui.core.credentials import Credentials, Loaded

FILE_NAME = "profiles.toml"
LAST_USED_NAME = "last-profile"
DEFAULT_NAME = "default"
ENV_PROFILE = "ILLVID_PROFILE"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")

_HEADER = """\
# illvid-tui profiles: one table per account, with its API base URL and login.
# No key is ever written here: each profile's key is in the system keyring
# (or, where there is none and you asked for it, in credentials/<name>.json).
"""


class ProfileError(ValueError):
    """A bad profile name, an unknown profile, or a profiles.toml that cannot be read."""


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a profile, or None when it can."""
    if _NAME.fullmatch(name):
        return None
    return (
        f"bad profile name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit"
    )


def check_name(name: str) -> str:
    """`name` stripped, or ProfileError when it cannot name a profile."""
    name = name.strip()
    problem = name_problem(name)
    if problem:
        raise ProfileError(problem)
    return name


@dataclass(frozen=True)
class Profile:
    """One account: a name, the API base URL and the login (never the key)."""

    name: str
    base_url: str
    #: "" when only the key was given and the server has not named the login yet.
    login: str = ""

    @property
    def account_id(self) -> str | None:
        """The account's partition of the state database (None while the login is unknown)."""
        return f"{self.base_url}|{self.login}" if self.login else None


class ProfileStore:
    """profiles.toml in `config_dir`, the last-used name in `state_dir`.

    Every method reads the file again, so two processes (two TUIs, a cron job)
    see each other's changes; writes replace the file in one step.
    """

    def __init__(self, config_dir: Path, state_dir: Path) -> None:
        self.config_dir = config_dir
        self.state_dir = state_dir

    @property
    def path(self) -> Path:
        return self.config_dir / FILE_NAME

    @property
    def last_used_path(self) -> Path:
        return self.state_dir / LAST_USED_NAME

    def exists(self) -> bool:
        return self.path.exists()

    def plain_file(self, name: str) -> Path:
        """The opt-in 0600 credentials file of profile `name` (absent unless asked for)."""
        return self.config_dir / "credentials" / f"{check_name(name)}.json"

    # -- the file ------------------------------------------------------------

    def load(self) -> dict[str, Profile]:
        """Every profile by name, in file order ({} without a file)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ProfileError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        return parse(text, str(self.path))

    def save(self, profiles: Mapping[str, Profile]) -> None:
        """Write every profile (the file is replaced whole, atomically)."""
        write_atomic(self.path, dump(profiles.values()))

    def get(self, name: str) -> Profile:
        """Profile `name`, or ProfileError naming the ones there are."""
        profiles = self.load()
        found = profiles.get(name)
        if found is None:
            there = ", ".join(profiles) or "none yet"
            raise ProfileError(f"no profile named {name!r} (profiles: {there})")
        return found

    def put(self, profile: Profile) -> None:
        """Add `profile`, or update the one of that name in place."""
        check_name(profile.name)
        problem = base_url_problem(profile.base_url)
        if problem:
            raise ProfileError(f"profile {profile.name!r}: bad base URL: {problem}")
        profiles = self.load()
        profiles[profile.name] = profile
        self.save(profiles)

    def rename(self, old: str, new: str) -> Profile:
        """Rename a profile, keeping its place; the last-used name follows."""
        new = check_name(new)
        profiles = self.load()
        if old not in profiles:
            raise ProfileError(f"no profile named {old!r}")
        if new != old and new in profiles:
            raise ProfileError(f"a profile named {new!r} exists already")
        renamed = Profile(new, profiles[old].base_url, profiles[old].login)
        self.save({(new if n == old else n): p for n, p in profiles.items()} | {new: renamed})
        if self.last_used() == old:
            self.set_last_used(new)
        return renamed

    def remove(self, name: str) -> None:
        """Remove a profile from the file (its key is the caller's: see credentials)."""
        profiles = self.load()
        if profiles.pop(name, None) is None:
            raise ProfileError(f"no profile named {name!r}")
        self.save(profiles)
        if self.last_used() == name:
            self.last_used_path.unlink(missing_ok=True)

    # -- last used -------------------------------------------------------------

    def last_used(self) -> str | None:
        try:
            name = self.last_used_path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if name_problem(name) is None else None

    def set_last_used(self, name: str) -> None:
        write_atomic(self.last_used_path, check_name(name) + "\n")

    # -- keys: the keyring, else the opted-in plain file (core.credentials; blocking) --

    def load_key(self, profile: Profile) -> Loaded:
        from illvid_tui.core import credentials

        return credentials.load_profile(profile.name, profile.login, self.plain_file(profile.name))

    def save_key(self, name: str, credentials: Credentials, *, plain_file: bool) -> str | None:
        """Keep profile `name`'s key: "file", "keyring", or None (no usable keyring)."""
        from illvid_tui.core import credentials as keys

        if plain_file:
            keys.write_plain_file(self.plain_file(name), credentials)
            return "file"
        return "keyring" if keys.save_profile_key(name, credentials.key) else None

    def forget_key(self, name: str) -> list[str]:
        from illvid_tui.core import credentials

        return credentials.forget_profile(name, self.plain_file(name))

    def move_key(self, old: str, new: str) -> None:
        from illvid_tui.core import credentials

        credentials.move_profile_key(old, new, self.plain_file(old), self.plain_file(new))

    def key_stored(self, name: str) -> bool | None:
        from illvid_tui.core import credentials

        return credentials.key_stored(name, self.plain_file(name))


# -- from the single-account layout -------------------------------------------------


@dataclass(frozen=True)
class Migration:
    """What `migrate` did: the profile made from a single-account setup, if any."""

    profile: Profile | None = None
    #: The credentials found (this run may use them even when `incomplete`).
    credentials: Credentials | None = None
    #: Something could not be moved (a locked keyring): tried again next start.
    incomplete: bool = False


def migrate(store: ProfileStore, base_url: str, legacy_plain: Path | None) -> Migration:
    """On the first start with profiles, turn a single-account setup into profile "default".

    Runs only while there is no profiles.toml. The keyring entries of
    `base_url`'s host move to the profile's entry and an opted-in plain file to
    the profile's path; the state database needs nothing (its partition is the
    account, ``"<base_url>|<login>"``, which the profile keeps). Blocking
    (keyring): call from a thread.
    """
    from illvid_tui.core import credentials

    if store.exists():
        return Migration()
    legacy = credentials.take_legacy(
        base_url, legacy_plain, DEFAULT_NAME, store.plain_file(DEFAULT_NAME)
    )
    if legacy.credentials is None:
        return Migration(incomplete=legacy.incomplete)
    profile = Profile(DEFAULT_NAME, base_url.strip(), legacy.credentials.login)
    if not legacy.incomplete:
        store.put(profile)
        store.set_last_used(DEFAULT_NAME)
    return Migration(profile, legacy.credentials, legacy.incomplete)


# -- which profile a run uses ------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The profile a run uses, or the one it is about to add."""

    #: The profile's name; "" for the unnamed profile of the environment's credentials.
    name: str
    #: The base URL the run talks to.
    base_url: str
    #: The stored profile; None for the unnamed one and for a profile not added yet.
    profile: Profile | None = None

    @property
    def unnamed(self) -> bool:
        return self.name == ""

    @property
    def label(self) -> str:
        """How the header and lists show it."""
        return self.name or UNNAMED_LABEL


def choose(
    profiles: Mapping[str, Profile],
    *,
    requested: str | None,
    base_url: str,
    last_used: str | None,
    environ: Mapping[str, str] | None = None,
) -> Choice:
    """Which profile to use. `requested` is --profile; `base_url` the run's (option/env/default).

    Raises ProfileError for a bad requested name (an unknown one is a profile to add).
    """
    env = os.environ if environ is None else environ
    if env.get("ILLVID_API_KEY", "").strip():
        return Choice("", base_url)
    name = (requested or "").strip() or env.get(ENV_PROFILE, "").strip()
    if name:
        name = check_name(name)
    elif last_used in profiles:
        name = str(last_used)
    elif DEFAULT_NAME in profiles or not profiles:
        name = DEFAULT_NAME
    else:
        name = next(iter(profiles))
    found = profiles.get(name)
    if found is None:
        return Choice(name, base_url)
    return Choice(name, found.base_url, found)


# -- a tiny TOML reader and writer ------------------------------------------------


def parse(text: str, where: str = FILE_NAME) -> dict[str, Profile]:
    """The profiles in a profiles.toml text; ProfileError (with the line) when unreadable."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where} is not valid TOML: {exc}") from None
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError(f"{where}: 'profiles' must be a table of tables")
    found: dict[str, Profile] = {}
    for name, table in tables.items():
        problem = name_problem(name)
        if problem:
            raise ProfileError(f"{where}: {problem}")
        if not isinstance(table, dict):
            raise ProfileError(f"{where}: [profiles.{name}] must be a table")
        url, login = table.get("base_url"), table.get("login", "")
        if not isinstance(url, str) or not isinstance(login, str):
            raise ProfileError(f"{where}: [profiles.{name}] needs base_url (and login) as strings")
        problem = base_url_problem(url)
        if problem:
            raise ProfileError(f"{where}: [profiles.{name}]: bad base URL: {problem}")
        found[name] = Profile(name, url.strip(), login.strip())
    return found


def dump(profiles: Iterable[Profile]) -> str:
    """profiles.toml text for `profiles`, in order."""
    parts = [_HEADER]
    for p in profiles:
        parts.append(
            f"\n[profiles.{_key(p.name)}]\n"
            f"base_url = {_string(p.base_url)}\nlogin = {_string(p.login)}\n"
        )
    return "".join(parts)


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` in one step (a temporary file, then a rename).

    The file is 0600 and its folder 0700: logins and last-used names are the
    user's business only, on a shared server too.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # a stale temporary file keeps its old mode otherwise
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

"""Where the API login and key come from, and where they are kept.

Order: ILLVID_API_LOGIN / ILLVID_API_KEY from the environment, then the OS
keyring (service "illvid-tui"), then a plain file the user opted into, then
the login screen. Each profile (illvid_tui.core.profiles) has one keyring
entry, user "profile:<name>", holding its key (its login is in profiles.toml),
and its own opt-in plain file. The per-host entries ("key@<host>",
"login@<host>") are the single-account layout of earlier versions, read only
to move them into the profile "default". keyring is imported only inside these functions, which the
app calls from a thread worker: its import and backend discovery cost
0.1-0.2 s and its calls may block on D-Bus or an unlock prompt.

`Credentials`, `from_env`, ENV_LOGIN and ENV_KEY are core.env_credentials' (the
app reads the environment before its first frame without this module), named here
too. The key is a secret: no function here logs it or puts it in an exception text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Re-exported: the app's first frame reads the environment through core.env_credentials
# alone; everything else keeps naming them here.
from illvid_tui.core.env_credentials import ENV_KEY as ENV_KEY
from illvid_tui.core.env_credentials import ENV_LOGIN as ENV_LOGIN
from illvid_tui.core.env_credentials import Credentials as Credentials
from illvid_tui.core.env_credentials import from_env as from_env

SERVICE = "illvid-tui"

#: The ways out when no keyring backend works (shown on the login screen).
NO_KEYRING_HELP = (
    "No keyring is usable here (usual over SSH on a server): the key is kept for this "
    f"session only. Ways out: set {ENV_LOGIN} and {ENV_KEY}, install and unlock a Secret "
    "Service (gnome-keyring, KeePassXC), or pick a backend with PYTHON_KEYRING_BACKEND."
)


@dataclass(frozen=True)
class Loaded:
    """What `load()` found: credentials (or None), and why not when None."""

    credentials: Credentials | None
    #: True when the keyring has no usable backend (the session-only case).
    no_keyring: bool = False
    #: A line for the login screen when something went wrong (never the key).
    problem: str = ""


def _user(base_url: str, what: str) -> str:
    """The keyring user name of an entry: one login and one key per API host."""
    try:
        host = urlsplit(base_url.strip()).hostname or "illvid.com"
    except ValueError:
        host = "illvid.com"
    return f"{what}@{host}"


def load(base_url: str, plain_file: Path | None = None) -> Loaded:
    """Look in the keyring, then in the opted-in plain file. Blocking: call from a thread."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    no_keyring = False
    problem = ""
    try:
        key = keyring.get_password(SERVICE, _user(base_url, "key"))
        login = keyring.get_password(SERVICE, _user(base_url, "login")) or ""
    except NoKeyringError:
        no_keyring, key, login = True, None, ""
    except (KeyringError, RuntimeError, OSError) as exc:
        # A locked or broken backend: say what kind, never more (no secret in it anyway).
        problem = f"The keyring could not be read ({type(exc).__name__})."
        key, login = None, ""
    if key:
        return Loaded(Credentials(login, key, source="keyring"))
    if plain_file is not None:
        found = read_plain_file(plain_file)
        if found is not None:
            return Loaded(found, no_keyring=no_keyring)
    return Loaded(None, no_keyring=no_keyring, problem=problem)


def keyring_usable() -> bool:
    """False when keyring has no working backend (headless server). Blocking: call from a thread."""
    import keyring
    from keyring.backends import fail

    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # noqa: BLE001 - a broken backend setup is "not usable"
        return False


def save(credentials: Credentials, base_url: str) -> bool:
    """Store in the keyring; False when there is no usable backend. Blocking."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, _user(base_url, "login"), credentials.login)
        keyring.set_password(SERVICE, _user(base_url, "key"), credentials.key)
    except (KeyringError, RuntimeError, OSError):
        return False
    return True


def forget(base_url: str, plain_file: Path | None = None) -> list[str]:
    """Delete the stored login and key (keyring and plain file); return what was removed."""
    import keyring
    from keyring.errors import KeyringError

    removed: list[str] = []
    for what in ("key", "login"):
        try:
            keyring.delete_password(SERVICE, _user(base_url, what))
        except (KeyringError, RuntimeError, OSError):
            continue
        if "keyring" not in removed:
            removed.append("keyring")
    if plain_file is not None and plain_file.exists():
        plain_file.unlink()
        removed.append(str(plain_file))
    return removed


def write_plain_file(path: Path, credentials: Credentials) -> None:
    """Write login and key to `path`, readable by the user only (0600). Opt-in only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"login": credentials.login, "key": credentials.key})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to an existing file
        os.write(fd, data.encode())
    finally:
        os.close(fd)


def read_plain_file(path: Path) -> Credentials | None:
    """The credentials in the opted-in plain file, or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("key"):
        return None
    return Credentials(str(data.get("login") or ""), str(data["key"]), source="file")


# -- one keyring entry per profile ---------------------------------------------------


def profile_user(name: str) -> str:
    """The keyring user name of profile `name`'s key."""
    return f"profile:{name}"


def load_profile(name: str, login: str, plain_file: Path | None = None) -> Loaded:
    """Profile `name`'s key from the keyring, else from its opted-in plain file. Blocking."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    no_keyring = False
    problem = ""
    try:
        key = keyring.get_password(SERVICE, profile_user(name))
    except NoKeyringError:
        no_keyring, key = True, None
    except (KeyringError, RuntimeError, OSError) as exc:
        problem = f"The keyring could not be read ({type(exc).__name__})."
        key = None
    if key:
        return Loaded(Credentials(login, key, source="keyring"))
    if plain_file is not None:
        found = read_plain_file(plain_file)
        if found is not None:
            return Loaded(Credentials(login or found.login, found.key, "file"), no_keyring)
    return Loaded(None, no_keyring=no_keyring, problem=problem)


def save_profile_key(name: str, key: str) -> bool:
    """Store profile `name`'s key in the keyring; False when there is no usable backend."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, profile_user(name), key)
    except (KeyringError, RuntimeError, OSError):
        return False
    return True


def key_stored(name: str, plain_file: Path | None = None) -> bool | None:
    """Whether profile `name` has a stored key; None when the keyring cannot tell. Blocking."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    if plain_file is not None and read_plain_file(plain_file) is not None:
        return True
    try:
        return bool(keyring.get_password(SERVICE, profile_user(name)))
    except NoKeyringError:
        return False
    except (KeyringError, RuntimeError, OSError):
        return None


def forget_profile(name: str, plain_file: Path | None = None) -> list[str]:
    """Delete profile `name`'s key (keyring entry and plain file); return what was removed."""
    import keyring
    from keyring.errors import KeyringError

    removed: list[str] = []
    try:
        keyring.delete_password(SERVICE, profile_user(name))
        removed.append("keyring")
    except (KeyringError, RuntimeError, OSError):
        pass
    if plain_file is not None and plain_file.exists():
        plain_file.unlink()
        removed.append(str(plain_file))
    return removed


def move_profile_key(
    old: str, new: str, old_plain: Path | None = None, new_plain: Path | None = None
) -> None:
    """Move a renamed profile's key to its new keyring entry and plain file. Blocking."""
    import keyring
    from keyring.errors import KeyringError

    try:
        key = keyring.get_password(SERVICE, profile_user(old))
        if key:
            keyring.set_password(SERVICE, profile_user(new), key)
            keyring.delete_password(SERVICE, profile_user(old))
    except (KeyringError, RuntimeError, OSError):
        pass  # no keyring (nothing stored there) or a locked one: the key stays where it was
    if old_plain is not None and new_plain is not None and old_plain.exists():
        new_plain.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old_plain, new_plain)  # keeps its 0600 mode


@dataclass(frozen=True)
class Legacy:
    """What the single-account layout held for one API host (see `take_legacy`)."""

    credentials: Credentials | None
    #: Not all moved (a locked or broken keyring): try again on the next start.
    incomplete: bool = False


def take_legacy(base_url: str, plain_file: Path | None, name: str, new_plain: Path) -> Legacy:
    """Move the single-account login and key of `base_url`'s host into profile `name`.

    The key goes to the profile's keyring entry (the old entries are deleted
    once it is there); an opted-in plain file moves to the profile's path.
    Returns the credentials found. Blocking.
    """
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    key: str | None = None
    login = ""
    try:
        key = keyring.get_password(SERVICE, _user(base_url, "key"))
        login = keyring.get_password(SERVICE, _user(base_url, "login")) or ""
    except NoKeyringError:
        key = None
    except (KeyringError, RuntimeError, OSError):
        return Legacy(None, incomplete=True)
    found: Credentials | None = None
    if key:
        found = Credentials(login, key, source="keyring")
        if not save_profile_key(name, key):
            return Legacy(found, incomplete=True)
        forget(base_url)
    if plain_file is not None:
        plain = read_plain_file(plain_file)
        if plain is not None:
            found = found or plain
            new_plain.parent.mkdir(parents=True, exist_ok=True)
            os.replace(plain_file, new_plain)
    return Legacy(found)

"""An API login and key, and the pair the environment gives (ILLVID_API_LOGIN / ILLVID_API_KEY).

Apart from core.credentials (the keyring and the plain file, which re-exports
all of this) because the app reads the environment's login before its first
frame, for the account the last run saw: this module is all that needs, with
no dataclass to build and nothing of the stores.

The key is a secret: `Credentials` never shows it in a repr, and no function
here logs it or puts it in an exception text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from illvid_tui.api import redact

ENV_LOGIN = "ILLVID_API_LOGIN"
ENV_KEY = "ILLVID_API_KEY"
#: How the unnamed profile (these credentials from the environment) is shown.
UNNAMED_LABEL = "(environment)"


class Credentials:
    """An API login and key. The key stays out of every repr and str."""

    __slots__ = ("login", "_key", "source")

    def __init__(self, login: str, key: str, source: str = "") -> None:
        self.login = login.strip()
        self._key = key.strip()
        #: Where they came from: "env", "keyring", "file", "login screen", "demo".
        self.source = source
        # Masked from now on, not only once a client is built with it: a crash
        # (or a CLI error) before that must not print it either.
        redact.register_secret(self._key)

    @property
    def key(self) -> str:
        return self._key

    def __repr__(self) -> str:
        return f"Credentials(login={self.login!r}, key=***, source={self.source!r})"

    __str__ = __repr__

    def __rich_repr__(self) -> object:  # rich (Textual's crash screen) uses this
        yield "login", self.login
        yield "key", "***"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Credentials) and other.login == self.login and other._key == self._key
        )

    __hash__ = None  # type: ignore[assignment]


def from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from ILLVID_API_LOGIN / ILLVID_API_KEY (the key alone is enough)."""
    env = os.environ if environ is None else environ
    key = env.get(ENV_KEY, "").strip()
    if not key:
        return None
    return Credentials(env.get(ENV_LOGIN, ""), key, source="env")

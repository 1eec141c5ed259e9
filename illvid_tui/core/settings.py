"""Where the app keeps its things, and how it was asked to run.

Folders come from platformdirs' user dirs for "illvid-tui" (so XDG_STATE_HOME,
XDG_CONFIG_HOME and friends move them), never the working directory. Nothing
is created here: the parts that write a file create its folder when they do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from illvid_tui.api.baseurl import DEFAULT_BASE_URL, DEMO_BASE_URL

APP_NAME = "illvid-tui"
SCREENS = ("account", "uploads", "files", "dmca")
__all__ = ["APP_NAME", "DEFAULT_BASE_URL", "DEMO_BASE_URL", "SCREENS", "Settings"]


@dataclass(frozen=True)
class Settings:
    """How this run of the app is set up. Holds no secret."""

    state_dir: Path
    log_dir: Path
    config_dir: Path
    base_url: str = DEFAULT_BASE_URL
    start_screen: str = "account"
    low_bandwidth: bool = False
    demo: bool = False
    #: The profile asked for with --profile (None: $ILLVID_PROFILE, else the last used).
    profile: str | None = None

    @property
    def db_path(self) -> Path:
        """The state database (upload queue, file checks, ...)."""
        return self.state_dir / "state.sqlite3"

    @property
    def account_cache_path(self) -> Path:
        """The last known account data, shown at start (core.account_cache; no key)."""
        return self.state_dir / "account-cache.json"

    @property
    def log_path(self) -> Path:
        """The log file (redacted; details of unexpected errors go here)."""
        return self.log_dir / "illvid-tui.log"

    @property
    def plain_credentials_path(self) -> Path:
        """The single-account layout's opt-in plain credentials file (mode 0600).

        Read only to move it to the profile "default" (each profile has its
        own: `ProfileStore.plain_file`).
        """
        return self.config_dir / "credentials.json"

    @property
    def keymap_path(self) -> Path:
        """The user's keymap file (TOML: binding id = keys)."""
        return self.config_dir / "keymap.toml"

    @classmethod
    def from_env(
        cls,
        *,
        base_url: str | None = None,
        start_screen: str = "account",
        low_bandwidth: bool = False,
        demo: bool = False,
        profile: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from the command-line options and the environment.

        `base_url` (the --base-url option) wins over ILLVID_BASE_URL; --demo
        uses the emulator's loopback URL unless one is given.
        """
        import platformdirs

        env = os.environ if environ is None else environ
        url = base_url or env.get("ILLVID_BASE_URL") or None
        if url is None:
            url = DEMO_BASE_URL if demo else DEFAULT_BASE_URL
        if start_screen not in SCREENS:
            raise ValueError(f"unknown screen {start_screen!r}: choose one of {', '.join(SCREENS)}")
        return cls(
            state_dir=platformdirs.user_state_path(APP_NAME),
            log_dir=platformdirs.user_log_path(APP_NAME),
            config_dir=platformdirs.user_config_path(APP_NAME),
            base_url=url.strip(),
            start_screen=start_screen,
            low_bandwidth=low_bandwidth,
            demo=demo,
            profile=profile or None,
        )

    @classmethod
    def in_dir(cls, root: Path, **options: object) -> Settings:
        """Settings with every folder under `root` (tests, screenshots, benchmarks)."""
        base = cls(state_dir=root / "state", log_dir=root / "log", config_dir=root / "config")
        return replace(base, **options)  # type: ignore[arg-type]

"""The user's keymap file: TOML, binding id -> keys.

    # ~/.config/illvid-tui/keymap.toml
    "account.refresh" = "r,f5"
    "app.quit" = ["q", "ctrl+c"]

Ids are shown on the help screen (`?`). Unknown ids and keys two ids share are
reported once at start-up (illvid_tui/screens/keymap_check.py).
"""

from __future__ import annotations

import tomllib
from pathlib import Path


class KeymapError(ValueError):
    """The keymap file is not valid TOML of id = keys."""


def load(path: Path) -> dict[str, str]:
    """The keymap in `path` ({} when there is no file)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise KeymapError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KeymapError(f"{path} is not valid TOML: {exc}") from None
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys
        elif isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
            keymap[binding_id] = ",".join(keys)
        else:
            raise KeymapError(f'{path}: "{binding_id}" must be a key string or a list of keys')
    return keymap

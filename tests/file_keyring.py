"""A keyring backend in a JSON file named by $ILLVID_TEST_KEYRING (child processes of tests).

Selected with ``PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring`` and this folder
on ``PYTHONPATH``: what a program stored is then checkable through keyring's own code path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class JsonKeyring(KeyringBackend):
    """A real keyring backend that keeps its entries in the JSON file at `path`."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path

    @property
    def path(self) -> Path:
        return self._path

    def _entries(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data: dict[str, str] = json.loads(self.path.read_text())
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}\0{username}"] = password
        self.path.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(entries))


class FileKeyring(JsonKeyring):
    """The same, built by keyring itself in a child process: the file is $ILLVID_TEST_KEYRING."""

    def __init__(self) -> None:
        super().__init__(Path(os.environ["ILLVID_TEST_KEYRING"]))

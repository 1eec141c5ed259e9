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


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["ILLVID_TEST_KEYRING"])

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

"""Credentials: env, real keyring backends (file-based, fail), the opt-in plain file."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from conftest import JsonKeyring

from illvid_tui.core import credentials as creds
from illvid_tui.core.credentials import Credentials

URL = "https://illvid.com/api"
SECRET = "k3y-very-secret-123"


def test_repr_and_str_never_show_the_key() -> None:
    c = Credentials("smith", SECRET)
    assert SECRET not in repr(c)
    assert SECRET not in str(c)
    assert SECRET not in f"{c}"
    assert c.key == SECRET


def test_env_wins_and_key_alone_is_enough() -> None:
    assert creds.from_env({}) is None
    found = creds.from_env({"ILLVID_API_KEY": f" {SECRET} "})
    assert found is not None and found.key == SECRET and found.login == ""
    both = creds.from_env({"ILLVID_API_KEY": SECRET, "ILLVID_API_LOGIN": "smith"})
    assert both is not None and both.login == "smith" and both.source == "env"


def test_keyring_round_trip_and_forget(json_keyring: JsonKeyring) -> None:
    assert creds.load(URL).credentials is None
    assert creds.save(Credentials("smith", SECRET), URL) is True
    loaded = creds.load(URL)
    assert loaded.credentials == Credentials("smith", SECRET)
    assert loaded.credentials is not None and loaded.credentials.source == "keyring"
    # One entry per host: another API host has none.
    assert creds.load("https://other.example/api").credentials is None
    assert creds.forget(URL) == ["keyring"]
    assert creds.load(URL).credentials is None
    assert creds.forget(URL) == []


def test_no_keyring_backend_is_reported_not_raised(no_keyring: None, tmp_path: Path) -> None:
    loaded = creds.load(URL, tmp_path / "none.json")
    assert loaded.credentials is None
    assert loaded.no_keyring is True
    assert creds.save(Credentials("smith", SECRET), URL) is False
    assert creds.forget(URL) == []


def test_plain_file_is_0600_and_read_after_the_keyring(no_keyring: None, tmp_path: Path) -> None:
    path = tmp_path / "config" / "credentials.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)  # an existing, too-open file gets tightened
    creds.write_plain_file(path, Credentials("smith", SECRET))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = creds.load(URL, path)
    assert loaded.credentials == Credentials("smith", SECRET)
    assert loaded.no_keyring is True
    assert creds.forget(URL, path) == [str(path)]
    assert not path.exists()


@pytest.mark.parametrize("text", ["not json", '{"login": "x"}', "[1, 2]"])
def test_unreadable_plain_file_is_ignored(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(text)
    assert creds.read_plain_file(path) is None


def test_keyring_usable_tells_the_fail_backend_apart(no_keyring: None, tmp_path: Path) -> None:
    assert creds.keyring_usable() is False
    keyring.set_keyring(JsonKeyring(tmp_path / "keyring.json"))
    assert creds.keyring_usable() is True


def test_keyring_user_is_per_host_without_importing_httpx() -> None:
    # Reading a host must not pull httpx in (slow) on the way to the first frame.
    script = (
        "import sys\n"
        "from illvid_tui.core.credentials import _user\n"
        "print(_user('https://API.Example.com:8443/api', 'key'), _user('http://[x', 'login'),"
        " 'httpx' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["key@api.example.com", "login@illvid.com", "False"]


def test_a_key_is_redacted_as_soon_as_credentials_hold_it() -> None:
    from illvid_tui.api import redact
    from illvid_tui.core.credentials import Credentials

    key = "fresh-never-used-key-4711"
    Credentials("someone", key)
    assert key not in redact.text(f"boom {key}")

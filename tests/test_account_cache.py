"""The account cache: what the last run learned, for the next start's first frame."""

from __future__ import annotations

import datetime as dt
import json
import stat
from decimal import Decimal
from pathlib import Path

from illvid_tui.api import redact
from illvid_tui.api.models import AccountInfo
from illvid_tui.core import account_cache
from illvid_tui.core.account_cache import Known

WHEN = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)
URL = "https://illvid.com/api"


def known(login: str, money: str = "4050.00", **extra: object) -> Known:
    info = AccountInfo(login=login, money=Decimal(money), extra=extra)
    return Known(f"{URL}|{login}", info, "https://up1.example/upload", WHEN)


def test_round_trip_by_login_and_the_last_one_seen(tmp_path: Path) -> None:
    path = tmp_path / "state" / account_cache.FILE_NAME
    account_cache.write(path, known("smith", storage_used="123456"))
    account_cache.write(path, known("jones", "1.50"))
    got = account_cache.read(path, URL, "smith")
    assert got == known("smith", storage_used="123456")
    last = account_cache.read(path, URL)
    assert last is not None and last.info.login == "jones" and last.info.money == Decimal("1.50")
    assert account_cache.read(path, "https://other.example/api") is None
    assert account_cache.read(path, URL, "nobody") is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_never_the_key(tmp_path: Path) -> None:
    secret = "s3cret-key-value-xyz"
    redact.register_secret(secret)
    path = tmp_path / account_cache.FILE_NAME
    # A server that echoes the key in an extra field.
    account_cache.write(path, known("smith", echo=f"your key is {secret}"))
    assert secret not in path.read_text()


def test_a_broken_or_foreign_file_is_no_cache(tmp_path: Path) -> None:
    path = tmp_path / account_cache.FILE_NAME
    assert account_cache.read(path, URL) is None
    for text in ("", "{", "[]", json.dumps({"version": 99}), json.dumps({"version": 1})):
        path.write_text(text)
        assert account_cache.read(path, URL) is None
    bad = {
        "version": 1,
        "accounts": {f"{URL}|x": {"info": 3, "saved_at": "x"}},
        "last": {URL: f"{URL}|x"},
    }
    path.write_text(json.dumps(bad))
    assert account_cache.read(path, URL) is None
    account_cache.write(path, known("smith"))  # over a broken entry
    assert account_cache.read(path, URL, "smith") is not None


def test_age_text() -> None:
    for seconds, text in (
        (5, "just now"),
        (61, "1 min ago"),
        (7200, "2 h ago"),
        (86400 * 3, "3 days ago"),
    ):
        assert account_cache.age_text(WHEN, WHEN + dt.timedelta(seconds=seconds)) == text


def test_writers_in_threads_take_turns(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / account_cache.FILE_NAME
    logins = [f"user{i}" for i in range(20)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda login: account_cache.write(path, known(login)), logins))
    assert all(account_cache.read(path, URL, login) is not None for login in logins)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

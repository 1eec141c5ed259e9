"""What the app imports before its first frame: Textual, and only the few modules of ours it needs.

Each module costs start-up time (a dataclass alone ~1 ms): the keyring and plain-file
stores, the profiles, the sign-in, the API's other results, httpx and keyring all wait
until the first frame is on screen. A child process starts the real app (headless) on a
warm state dir and lists `sys.modules` when the first frame is painted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from illvid_tui.api.account_info import AccountInfo
from illvid_tui.core import account_cache
from illvid_tui.core.settings import Settings

BASE_URL = "http://127.0.0.1:9/api"  # never asked: the child ends at the first frame

#: Runs the app as `illvid-tui` would, until its first frame (the header calls
#: `first_frame()` once painted); prints what was imported and the account shown.
CHILD = """
import json, sys
from illvid_tui import main
from illvid_tui.app import app as app_module, create_app

seen = {}

def first_frame(self):
    seen["modules"] = sorted(sys.modules)
    seen["login"] = self.account.info.login if self.account.info else None
    self.exit()

app_module.IllvidApp.first_frame = first_frame
app = create_app(main.parse([]))
app.run(headless=True)
print(json.dumps(seen))
"""

#: Not before the first frame: imported after it, in threads or when first used.
LATER = (
    "illvid_tui.core.credentials",
    "illvid_tui.core.profiles",
    "illvid_tui.core.signin",
    "illvid_tui.api.models",
    "illvid_tui.api.client",
    "illvid_tui.screens.login",
    "httpx",
    "keyring",
    "tomllib",
)


@pytest.mark.parametrize("env_key", [True, False], ids=["env credentials", "none given"])
def test_the_first_frame_imports_none_of_what_comes_after_it(env_key: bool) -> None:
    env = {**os.environ, "ILLVID_BASE_URL": BASE_URL}  # XDG folders: conftest's, in tmp_path
    if env_key:
        env.update(ILLVID_API_LOGIN="smith", ILLVID_API_KEY="first-frame-key")
    # A warm start: the last run's account, read and shown with the first frame.
    settings = Settings.from_env(base_url=BASE_URL)
    info = AccountInfo.from_result({"login": "smith", "money": "1.50"})
    assert info.money == Decimal("1.50")
    when = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    known = account_cache.Known(f"{BASE_URL}|smith", info, None, when)
    account_cache.write(settings.account_cache_path, known)
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["login"] == "smith"  # the cache was read: its modules are in the list
    modules = set(seen["modules"])
    assert "illvid_tui.core.account_cache" in modules
    early = sorted(m for m in modules if m in LATER or m.split(".")[0] in LATER)
    assert not early, early

"""Realistic, deterministic demo data (from the seed and `today`).

Snapshot tests pass a fixed `today` and seed, so every screen built on this
data looks the same on every run.
"""

from __future__ import annotations

import datetime as dt
import random

from illvid_tui.emulator.state import EmulatorState

DEMO_MONEY = "4050.00"
DEMO_FILES = 150
DEMO_NOTICES = 25

_TOPICS = (
    "holiday", "wedding", "birthday", "drone", "concert", "hike", "roadtrip", "cooking",
    "timelapse", "surf", "skate", "garden", "lecture", "interview", "unboxing", "family",
)  # fmt: skip
_PLACES = (
    "lisbon", "porto", "berlin", "oslo", "kyoto", "lima", "cairo", "denver", "napoli",
    "bergen", "tallinn", "quebec", "hanoi", "madeira", "alps", "iceland",
)  # fmt: skip
_EXTS = (".mp4", ".mp4", ".mp4", ".mkv", ".webm", ".mov")
_FOLDERS = ("", "", "travel", "family", "work", "raw")

#: Codes printed in the seed, so its examples work against the demo account.
SEED_CODES = ("3WGI2ZA99MG2", "fd1autuiifhc")


def fill_demo(state: EmulatorState, *, seed_codes: bool = True) -> None:
    """Give `state` the demo account: money, ~150 files, ~25 DMCA notices.

    `seed_codes`: also the seed's example codes (only one account of a server
    can hold them: a file code is unique on a host).
    """
    rng = random.Random(f"demo:{state.seed}")
    today = state.today
    names: set[str] = set()
    for i in range(DEMO_FILES):
        year = today.year - rng.choice((0, 0, 0, 1, 2))
        name = f"{rng.choice(_TOPICS)}-{year}-{rng.choice(_PLACES)}"
        if name in names:
            name = f"{name}-part{i % 7 + 2}"
        names.add(name)
        uploaded = dt.datetime.combine(today, dt.time()) - dt.timedelta(
            days=rng.randrange(0, 120), seconds=rng.randrange(0, 86400)
        )
        state.add_file(
            name + rng.choice(_EXTS),
            rng.randrange(20 * 10**6, 4 * 10**9),
            uploaded.isoformat(sep=" "),
            folder=rng.choice(_FOLDERS),
            views=rng.randrange(0, 50_000),
        )
    # The seed's example codes exist too (one upper case: codes are case-sensitive).
    for code in SEED_CODES if seed_codes else ():
        state.files[code] = {
            "name": f"seed-example-{code.lower()}.mp4",
            "size": 123_456_789,
            "uploaded": f"{today.isoformat()} 08:30:00",
            "folder": "",
            "views": 0,
        }
    _demo_notices(state, rng)
    used = sum(int(f["size"]) for f in state.files.values())
    state.account.update(
        {
            "money": DEMO_MONEY,
            "email": f"{state.account['login']}@example.com",
            "premium_expire": (today + dt.timedelta(days=200)).isoformat() + " 23:59:59",
            "storage_used": used,
            "storage_left": max(0, 2 * 10**12 - used),
            "files_total": len(state.files),
            "balance_currency": "USD",
        }
    )


def _demo_notices(state: EmulatorState, rng: random.Random) -> None:
    """25 notices: created in the last 30 days; some expired, some within 3 days."""
    today = state.today
    codes = rng.sample(sorted(set(state.files) - set(SEED_CODES)), DEMO_NOTICES)
    # Expiry offsets from today: 3 already expired, 1 today, 5 within 3 days, the rest later.
    offsets = [-4, -2, -1, 0, 1, 1, 2, 3, 3]
    offsets += [rng.randrange(4, 15) for _ in range(DEMO_NOTICES - len(offsets))]
    notices = []
    for code, offset in zip(codes, offsets, strict=True):
        expire = today + dt.timedelta(days=offset)
        created = min(expire, today - dt.timedelta(days=rng.randrange(0, 30)))
        notices.append(
            {
                "file_code": code,
                "dmca_created": created.isoformat(),
                "dmca_expire": expire.isoformat(),
            }
        )
    state.dmca = notices

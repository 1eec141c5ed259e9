"""Write screenshots/<screen>.svg of each section of `illvid-tui --demo` (and its profiles).

    .venv/bin/python scripts/screenshots.py [--size 120x36] [--only account,uploads]

Each picture comes from the demo app (seeded emulator, fixed today) inside
Textual's `run_test`, after that screen's `prepare` coroutine has set it up.
Owners of a screen add their preparation to PREPARE.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from illvid_tui.app.demo import create_demo_app  # noqa: E402
from illvid_tui.core.settings import SCREENS, Settings  # noqa: E402
from illvid_tui.emulator import Emulator  # noqa: E402

TODAY = dt.date(2026, 11, 27)
#: Every picture: the sections, and the profiles screen (`P` over Account).
PICTURES = (*SCREENS, "profiles")
START = {"profiles": "account"}
Prepare = Callable[[Pilot[Any], Emulator], Awaitable[None]]


async def settle(pilot: Pilot[Any], emulator: Emulator | None = None) -> None:
    """Wait until the screen's requests are done (the app-long poller aside)."""
    for _ in range(4):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.group != "uploads.poller"]
        if busy:
            await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


#: Per screen: what to do before the picture (queue uploads, run a check...).
PREPARE: dict[str, Prepare] = {name: settle for name in SCREENS}


async def prepare_uploads(pilot: Pilot[Any], emulator: Emulator) -> None:
    """A queue with rows in several states: done, failed, running, queued, unknown."""
    await settle(pilot)
    poller = getattr(pilot.app, "poller", None)
    if poller is None:
        return
    emulator.upload_seconds = 6.0
    await poller.send(["https://cdn.example.com/videos/holiday-2026-lisbon-4k.mp4"], "travel")
    await poller.send(["https://fail.example.com/missing/concert-bergen.mkv"], "travel")
    await poller.send(["https://media.example.org/drone/timelapse-alps.webm"])
    emulator.advance(60)
    await poller.cycle(force=True)
    emulator.upload_seconds = 1000.0
    await poller.send(["https://cdn.example.com/videos/wedding-oslo.mp4"], "family")
    await poller.send(["https://cdn.example.com/videos/surf-madeira.mov"])
    emulator.advance(300)
    await poller.cycle(force=True)
    await poller.send(["https://cdn.example.com/videos/lecture-kyoto.mp4"])
    emulator.fail_next("upload_url", 500)
    await poller.send(["https://slow.example.net/interview-lima.mp4"])
    pilot.app.clear_notifications()
    await pilot.pause()


PREPARE["uploads"] = prepare_uploads


async def prepare_files(pilot: Pilot[Any], emulator: Emulator) -> None:
    """A checked list: links and bare codes, a few gone, one junk token, then a renewal."""
    from textual import events

    await settle(pilot)
    codes = sorted(emulator.files)[:40]
    for code in codes[3:6]:
        emulator.delete_file(code)
    lines = [
        f"https://illvid.com/{c}/clip-{i}.mp4" if i % 4 == 0 else c for i, c in enumerate(codes)
    ]
    lines.insert(7, "see-you-at-9pm!")
    pilot.app.post_message(events.Paste("\n".join(lines)))
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    await pilot.press("space", "down", "space", "n")
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


PREPARE["files"] = prepare_files


async def prepare_dmca(pilot: Pilot[Any], emulator: Emulator) -> None:
    """DMCA: most urgent first, one renewed and one gone (404)."""
    from illvid_tui.screens.dmca import DmcaScreen

    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DmcaScreen)
    table = screen.table
    table.sort_by("days")
    live = [k for k in table.visible_keys() if k in emulator.files]
    live = [k for k in live if (row := table.get_row(k)) is not None and row["days"].days >= 0]
    emulator.delete_file(live[1])
    for key in live[:2]:
        table.move_cursor(key)
        await pilot.press("space")
    await pilot.press("n")
    await settle(pilot)
    table.move_cursor(table.visible_keys()[0])
    pilot.app.clear_notifications()
    await pilot.pause()


PREPARE["dmca"] = prepare_dmca


async def prepare_profiles(pilot: Pilot[Any], emulator: Emulator) -> None:
    """The demo's three profiles, the first in use."""
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


PREPARE["profiles"] = prepare_profiles


async def shoot(name: str, size: tuple[int, int], out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.in_dir(Path(tmp), start_screen=START.get(name, name))
        emulator = Emulator(seed=1, today=TODAY)
        app = create_demo_app(settings, emulator=emulator, today=TODAY)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await PREPARE[name](pilot, emulator)
            await pilot.pause()
            path = app.save_screenshot(filename=f"{name}.svg", path=str(out_dir))
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x36", help="terminal COLSxROWS (default 120x36)")
    parser.add_argument("--only", default=",".join(PICTURES), help="comma-separated screens")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    cols, _, rows = args.size.partition("x")
    size = (int(cols), int(rows))
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in PICTURES]
    if unknown:
        parser.error(f"unknown screen(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(asyncio.run(shoot(name, size, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A faithful in-process fake of the illvid API, with fault knobs.

    emu = Emulator(seed=1)
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://127.0.0.1/api"):
        ...

Serves ``illvid-tui --demo`` and the tests; ``python -m illvid_tui.emulator``
runs it on loopback for manual use.
"""

from illvid_tui.emulator.app import Emulator
from illvid_tui.emulator.faults import (
    DEMO_KEY,
    DEMO_LOGIN,
    ConnectionDropped,
    Faults,
    RecordedRequest,
)
from illvid_tui.emulator.state import Job

__all__ = [
    "DEMO_KEY",
    "DEMO_LOGIN",
    "ConnectionDropped",
    "Emulator",
    "Faults",
    "Job",
    "RecordedRequest",
]

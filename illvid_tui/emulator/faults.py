"""Fault knobs and request records of the emulator.

Everything here is plain data, settable at runtime by tests and by
``python -m illvid_tui.emulator``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Login and key of the demo account (not a secret: it only opens the emulator).
DEMO_LOGIN = "demo"
DEMO_KEY = "demo-key-not-secret"

#: Status 0 in `fail_next` means "drop the connection, send nothing".
DROP = 0

#: Human texts per status. The seed says `msg` varies: the emulator picks one
#: at random (seeded) so a client that reads `msg` to decide shows up in tests.
MESSAGES: dict[int, tuple[str, ...]] = {
    200: ("OK", "Success", "ok", "Request succeeded"),
    400: ("Bad request", "Invalid parameters", "Wrong parameters"),
    403: ("Permission denied", "Invalid key", "Wrong API login or key"),
    404: ("File not found", "Not found", "No such file"),
    451: ("Unavailable For Legal Reasons", "File blocked (DMCA)"),
    500: ("Internal server error", "Server error, try again"),
    502: ("Bad gateway", "Upstream error"),
    503: ("Service unavailable", "Maintenance, back soon"),
    509: (
        "Bandwidth usage exceeded. Please try again later or use Browser Download.",
        "Bandwidth usage exceeded. Please try again later",
    ),
}


def message_for(status: int) -> tuple[str, ...]:
    """The candidate texts for a status (a generic one for statuses not listed)."""
    return MESSAGES.get(status, (f"Error {status}",))


@dataclass
class Faults:
    """What the emulator does wrong, on purpose. Every field may change at runtime."""

    #: Seconds added to every request (``await asyncio.sleep``).
    latency: float = 0.0
    #: Extra seconds per op name, on top of `latency`.
    slow_ops: dict[str, float] = field(default_factory=dict)
    #: Random failure rate per status (509, 500, 502, 503), drawn from the seeded RNG.
    rates: dict[int, float] = field(default_factory=dict)
    #: Injected failures answer with a proxy-like HTML page instead of the JSON envelope.
    html_errors: bool = False
    #: When False every envelope goes out with HTTP 200 (the API may do either).
    mirror_http_status: bool = True
    #: Money, status, queue ids, sizes and progress as strings ("200") or as numbers.
    numbers_as_strings: bool = True
    #: The next N answers are cut in the middle (unreadable JSON).
    broken_json_next: int = 0
    #: `file_renew` answers an object (True), ``true`` (False), or either,
    #: chosen by the seeded RNG per call (None): the result is a gap in the seed.
    renew_result_object: bool | None = None
    #: Seconds a remote-upload queue entry lives after it was queued (None: for
    #: ever). Then the server forgets it and `check_upload_url` answers 404, as
    #: real queues expire or lose entries.
    queue_ttl: float | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it (the key is included: this is a test fake).

    `api_status` is the envelope status sent, None when no envelope went out
    (HTML error page, dropped connection). `http_status` is 0 for a drop.
    """

    op: str | None
    params: dict[str, str]
    http_status: int
    api_status: int | None


class ConnectionDropped(Exception):
    """Raised by the ASGI app to drop the connection without an answer."""

"""The HTTP transport the app hands its clients, and a lighter httpx import.

Both block (imports, a TLS context for https): the app calls them in a
thread worker after its first frame. Importing this module imports nothing
heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


def import_httpx() -> None:
    """Import httpx without its command-line client (click, pygments: ~20 ms we never use).

    httpx falls back to a stub `main` when `httpx._main` cannot be imported;
    a None entry in sys.modules is the documented way to make it so. The
    entry is removed right after, so an explicit import later still works.
    """
    import sys

    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        if sys.modules.get("httpx._main") is None:
            del sys.modules["httpx._main"]


def make_transport(base_url: str) -> httpx.AsyncBaseTransport | None:
    """The transport of a new client for `base_url` (blocking for https: a TLS context, ~35 ms).

    None through a proxy in the environment: the client then takes httpx's own
    (api/http1.py).
    """
    import httpx

    from illvid_tui.api.baseurl import is_loopback
    from illvid_tui.api.client import DEFAULT_MAX_IN_FLIGHT
    from illvid_tui.api.http1 import Http1Transport, proxied

    if proxied():
        return None  # before the TLS context below: it would go unused
    url = httpx.URL(base_url)
    context = None
    if not (url.scheme == "http" and is_loopback(url.host)):
        # Plain http to this machine (the emulator) never uses TLS, so no
        # certificate store is loaded for it; https keeps full verification.
        context = httpx.create_ssl_context()
    # As many connections as the client keeps requests in flight.
    return Http1Transport(ssl_context=context, max_connections=DEFAULT_MAX_IN_FLIGHT)

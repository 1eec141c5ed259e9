"""API errors as one line with the status and the next step, and their exit statuses."""

from __future__ import annotations

from illvid_tui.api.errors import (
    BadRequestError,
    BandwidthExceededError,
    IllvidError,
    InsecureURLError,
    InvalidResponseError,
    NetworkError,
    PermissionDeniedError,
    ServerError,
    UnknownOutcomeError,
)
from illvid_tui.cli.output import CliError, Exit

_SOURCE = {
    "env": "ILLVID_API_LOGIN / ILLVID_API_KEY from the environment (they win over the keyring)",
    "keyring": "the login and key stored in the keyring",
    "file": "the login and key in the plain credentials file",
}


def next_step(error: IllvidError, source: str = "") -> str:
    """What a person can do about `error`, for the end of its line."""
    if isinstance(error, PermissionDeniedError):
        where = _SOURCE.get(source, "the login and key")
        return f"check {where}; `illvid-tui login` stores new ones"
    if isinstance(error, BandwidthExceededError):
        return "the server is over its bandwidth (peak hours): try again later"
    if isinstance(error, UnknownOutcomeError):
        return "the server may have done it: look before sending it again"
    if isinstance(error, NetworkError):
        return "check the connection and --base-url / ILLVID_BASE_URL, then try again"
    if isinstance(error, ServerError):
        return "the server failed after retries: try again later"
    if isinstance(error, InvalidResponseError):
        return "the answer was not the API's JSON: --debug shows what came"
    if isinstance(error, BadRequestError | InsecureURLError):
        return "check the input"
    return error.hint.rstrip(".").lower() if error.hint else "try again later"


def exit_for(error: IllvidError) -> Exit:
    """The exit status a command ends with when `error` stops it."""
    if isinstance(error, PermissionDeniedError):
        return Exit.CREDENTIALS
    if isinstance(error, BadRequestError | InsecureURLError):
        return Exit.USAGE
    return Exit.FAILED


def from_api(error: IllvidError, source: str = "") -> CliError:
    """The `CliError` that ends a command stopped by `error`."""
    return CliError(exit_for(error), f"{error}. Next: {next_step(error, source)}.")


__all__ = ["exit_for", "from_api", "next_step"]

"""Typed errors for the illvid API.

Every error carries `.status` (the API's status, the HTTP status when the
server sent no envelope, or ``0`` when no answer came at all) and `.msg` (the
server's text, or ours). None of them ever carries the API key: the client
builds them from redacted material only and cuts the ``__cause__`` chain.
"""

from __future__ import annotations

#: Status-like code for failures where no HTTP answer arrived.
NETWORK_STATUS = 0


class IllvidError(Exception):
    """Base of every error the client raises."""

    #: A short, human title for the kind of failure.
    title = "Request failed"
    #: Whether the client may send the same request again by itself.
    retryable = False
    #: The next step a person can take, shown by the UI.
    hint = ""
    #: False when built from a bare HTTP status (an HTML page from a proxy, an
    #: empty body): nobody can tell whether the API itself saw the request.
    from_envelope = True

    def __init__(self, status: int, msg: str, *, op: str | None = None) -> None:
        self.status = int(status)
        self.msg = str(msg)
        self.op = op
        super().__init__(self.status, self.msg)

    def __str__(self) -> str:
        where = f"{self.op}: " if self.op else ""
        detail = f": {self.msg}" if self.msg else ""
        code = f" ({self.status})" if self.status else ""
        return f"{where}{self.title}{code}{detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, msg={self.msg!r}, op={self.op!r})"


class BadRequestError(IllvidError):
    """400: the parameters were wrong."""

    title = "Bad request"
    hint = "Check the input and try again."


class PermissionDeniedError(IllvidError):
    """403: wrong login or key, or a file that is not yours."""

    title = "Permission denied"
    hint = "Check the API login and key (User Panel, User Settings)."


class NotFoundError(IllvidError):
    """404: no such file (or queue id)."""

    title = "Not found"


class LegalError(IllvidError):
    """451: unavailable for legal reasons."""

    title = "Unavailable for legal reasons"


class BandwidthExceededError(IllvidError):
    """509: bandwidth exceeded, try again later (peak hours)."""

    title = "Bandwidth exceeded"
    retryable = True
    hint = "The server asks to wait; retrying later."
    #: Seconds the server announced (a Retry-After header), when it did.
    retry_after: float | None = None


class ServerError(IllvidError):
    """50x: the server failed."""

    title = "Server error"
    retryable = True
    hint = "The server had a problem; try again later."


class InvalidResponseError(IllvidError):
    """The answer was not the API's JSON envelope (HTML page, empty, broken).

    `.status` is the HTTP status of that answer.
    """

    title = "Unreadable answer"

    def __init__(self, status: int, msg: str, *, op: str | None = None) -> None:
        super().__init__(status, msg, op=op)
        # A proxy's 502 page is as transient as the server's own 502.
        self.retryable = self.status == 509 or 500 <= self.status <= 599


class NetworkError(IllvidError):
    """No answer arrived: refused, reset, timed out, TLS failure."""

    title = "Network error"
    retryable = True
    hint = "Check the connection; retrying."

    def __init__(
        self, msg: str, *, op: str | None = None, sent: bool = True, timeout: bool = False
    ) -> None:
        super().__init__(NETWORK_STATUS, msg, op=op)
        #: False only when the request surely never reached the server.
        self.sent = sent
        self.timeout = timeout


class UnknownOutcomeError(IllvidError):
    """A non-idempotent call (``upload_url``) may or may not have been done.

    Raised after a timeout, a lost answer or a server error once the request
    was sent. `.status` is 0 when no answer came, else the server's 50x. The
    client never retries it by itself; the user decides whether to send it
    again.
    """

    title = "Outcome unknown"
    retryable = False
    hint = "The server may have queued it. Check before sending it again."


class UploadRefusedError(IllvidError):
    """The upload server answered and refused the file (``ERROR: ...``, a status
    other than OK). `.status` is the HTTP status; `.msg` the server's text."""

    title = "Upload refused"
    hint = "The server kept nothing; fix the cause, then send it again."


class UploadStalledError(NetworkError):
    """No byte of the upload was accepted (or no answer came) for the stall timeout."""

    title = "Upload stalled"
    retryable = False
    hint = "The link stopped moving. Send it again when the connection is back."


class FileChangedError(IllvidError):
    """The local file changed or vanished between queuing and sending (or during)."""

    title = "File changed"
    hint = "Nothing half-sent was kept. Queue the file again if it is ready."

    def __init__(self, msg: str) -> None:
        super().__init__(NETWORK_STATUS, msg)


class InsecureURLError(IllvidError):
    """The base URL is plain http:// to a host that is not loopback."""

    title = "Refused insecure URL"

    def __init__(self, msg: str) -> None:
        super().__init__(NETWORK_STATUS, msg)


_BY_STATUS: dict[int, type[IllvidError]] = {
    400: BadRequestError,
    403: PermissionDeniedError,
    404: NotFoundError,
    451: LegalError,
    509: BandwidthExceededError,
}


def error_for_status(status: int, msg: str, *, op: str | None = None) -> IllvidError:
    """Build the error subclass that matches an API status."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if 500 <= status <= 599 else IllvidError
    return cls(status, msg, op=op)

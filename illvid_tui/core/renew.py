"""Renewing many files: bounded fan-out, one result per code as it lands.

Shared by the Files and DMCA screens::

    summary = await renew_codes(client, codes, on_result=show_one)

`on_result(code, outcome)` is called on the event loop once per code, in the
order answers arrive: `outcome` is True when renewed, or the `IllvidError`
that says why not (404, 403, 451...; a server answer of "false" becomes a
`RenewRefusedError`). Cancelling the awaiting task stops the fan-out at once;
whatever `on_result` heard so far is the partial result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from illvid_tui.api.errors import IllvidError

#: The outcome of renewing one file: True, or the error that says why not.
RenewOutcome = bool | IllvidError

#: Renewing more files than this asks first: one request each, and a mark-all
#: on 50,000 notices is one key away from a long run nobody meant.
CONFIRM_ABOVE = 3


def needs_confirmation(count: int) -> bool:
    """Whether renewing `count` files should be confirmed first."""
    return count > CONFIRM_ABOVE


def confirm_question(count: int) -> str:
    """The question asked before renewing `count` files."""
    return (
        f"Renew {count:,} files? That is one request per file. Esc stops it midway;"
        " what is renewed by then stays renewed."
    )


class RenewRefusedError(IllvidError):
    """The server answered `file_renew` with success but a false result."""

    title = "Not renewed"
    hint = "The server declined without a reason; try again later."


class RenewClient(Protocol):
    """The part of `IllvidClient` renewing needs (tests may pass a fake)."""

    max_in_flight: int

    async def file_renew(self, file_code: str) -> bool: ...


@dataclass
class RenewSummary:
    """How a renewal run went: codes renewed, and the failures with their errors."""

    renewed: list[str] = field(default_factory=list)
    failed: dict[str, IllvidError] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.renewed) + len(self.failed)

    def add(self, code: str, outcome: RenewOutcome) -> None:
        """Record one outcome (what `renew_codes` does for each code)."""
        if outcome is True:
            self.renewed.append(code)
        else:
            self.failed[code] = outcome if isinstance(outcome, IllvidError) else refused(code)

    def by_reason(self) -> dict[str, int]:
        """Failures counted by reason, e.g. {"Not found (404)": 3}."""
        counts: dict[str, int] = {}
        for error in self.failed.values():
            key = describe_failure(error)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def progress(self, total: int) -> str:
        """Where a run stands: "Renewing 1,204/50,000 · 1,200 renewed, 4 failed · Esc stops"."""
        return (
            f"Renewing {self.total:,}/{total:,} · {len(self.renewed):,} renewed,"
            f" {len(self.failed):,} failed · Esc stops"
        )

    def describe_end(self, total: int) -> str:
        """How a run of `total` codes ended, stopped or not: "Renew stopped at 20 of 500: ..."."""
        if self.total < total:
            return f"Renew stopped at {self.total:,} of {total:,}: {self.describe()}"
        return f"Renew: {self.describe()}"

    def describe(self) -> str:
        """One line for a toast: "12 renewed, 2 failed: Not found (404) x2"."""
        text = f"{len(self.renewed):,} renewed"
        if self.failed:
            reasons = ", ".join(f"{r} x{n}" if n > 1 else r for r, n in self.by_reason().items())
            text += f", {len(self.failed):,} failed: {reasons}"
        return text


def refused(code: str) -> RenewRefusedError:
    return RenewRefusedError(200, "the server answered false", op="file_renew")


def describe_failure(error: IllvidError) -> str:
    """A short reason for a result column: "Not found (404)"."""
    return f"{error.title} ({error.status})" if error.status else error.title


async def renew_codes(
    client: RenewClient,
    codes: Iterable[str],
    on_result: Callable[[str, RenewOutcome], None] | None = None,
) -> RenewSummary:
    """Renew each code with `file_renew`, at most the client's in-flight bound at a time.

    (The client keeps its own bound across all calls anyway.) Duplicates are
    renewed once. Only `IllvidError`s count as failures; anything else propagates.
    """
    todo = list(dict.fromkeys(codes))
    summary = RenewSummary()
    if not todo:
        return summary
    width = max(1, min(client.max_in_flight, len(todo)))
    pending = iter(todo)

    async def lane() -> None:
        # Each lane takes the next code when it is free: `width` tasks in all,
        # never one task per code.
        for code in pending:
            outcome: RenewOutcome
            try:
                outcome = True if await client.file_renew(code) else refused(code)
            except IllvidError as error:
                outcome = error
            summary.add(code, outcome)
            if on_result is not None:
                on_result(code, outcome)

    tasks = [asyncio.create_task(lane()) for _ in range(width)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return summary


__all__ = [
    "CONFIRM_ABOVE",
    "RenewClient",
    "RenewOutcome",
    "RenewRefusedError",
    "RenewSummary",
    "confirm_question",
    "describe_failure",
    "needs_confirmation",
    "renew_codes",
]

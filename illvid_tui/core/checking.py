"""Running a file check: every batch asked, a refused batch marked, a dead server stops it.

Shared by the Files screen and the `check` subcommand::

    run = CheckRun.for_client(client, codes, previous)
    await check_codes(client, run, on_batch=show, on_failed=show_failed)
    run, failure = await check_and_record(client, store, account, codes, stamp)  # + the store

The batching and its rule live once, in `IllvidClient.check_files`: a batch
the server refuses with a status that will not change by asking again (451,
403, 400, ...; see `IllvidError.retryable`) is reported with that error and
the check goes on with the other batches; a failure the client already
retried in vain (network down, 50x, 509 past its waits) stops the whole check
and is raised: the other batches would meet the same server. Here each batch
lands in the run: its codes marked refused, or their results kept.
Cancelling the awaiting task stops it at once; `run` keeps what already came
back either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from illvid_tui.api.errors import IllvidError
from illvid_tui.api.models import BatchDone
from illvid_tui.core.filecheck import BatchFailed, CheckRun, FileCheckStore


class CheckClient(Protocol):
    """The part of `IllvidClient` a check needs (its batching: `IllvidClient.check_files`)."""

    batch_size: int
    max_in_flight: int

    async def check_files(
        self,
        codes: Sequence[str],
        *,
        on_batch: Callable[[BatchDone], None] | None = None,
        on_refused: Callable[[tuple[str, ...], IllvidError], None] | None = None,
    ) -> list[str]: ...


async def check_codes(
    client: CheckClient,
    run: CheckRun,
    *,
    on_batch: Callable[[BatchDone], None] | None = None,
    on_failed: Callable[[BatchFailed], None] | None = None,
) -> None:
    """Check `run.codes` with the client's batching, keeping every batch in `run`.

    Each answered batch goes into `run` (then `on_batch`), each refused batch
    too (then `on_failed`), on the event loop, as they land.

    Raises:
        IllvidError: the first retryable failure the client gave up on; the
            batches still in flight are cancelled and their codes stay unchecked.
    """

    def answered(done: BatchDone) -> None:
        run.add(done)
        if on_batch is not None:
            on_batch(done)

    def refused(codes: tuple[str, ...], error: IllvidError) -> None:
        failed = BatchFailed(codes, error)
        run.add_failure(failed)
        if on_failed is not None:
            on_failed(failed)

    await client.check_files(run.codes, on_batch=answered, on_refused=refused)


async def check_and_record(
    client: CheckClient,
    store: FileCheckStore,
    account: str,
    codes: Sequence[str],
    stamp: str,
    *,
    on_batch: Callable[[CheckRun], None] | None = None,
) -> tuple[CheckRun, IllvidError | None]:
    """The whole check without a screen (the CLI's): last results, `check_codes`, save.

    The previous results of `account` are loaded, the codes checked by
    `check_codes` (`on_batch` hears after each batch, answered or refused),
    and every result that came back is saved, a partial one too when the
    check stopped. Returns the run and the error that stopped it, if one did.
    """
    previous = await store.load_async(account, codes)
    run = CheckRun.for_client(client, codes, previous)

    def landed(_: object) -> None:
        if on_batch is not None:
            on_batch(run)

    failure: IllvidError | None = None
    try:
        await check_codes(client, run, on_batch=landed, on_failed=landed)
    except IllvidError as error:
        failure = error
    if run.results:
        await store.save_async(account, dict(run.results), stamp)
    return run, failure


def describe_end(run: CheckRun, failure: IllvidError | None) -> str:
    """How a check ended, in a line or two ("" for a clean, complete check).

    Says why it stopped, which codes the server refused and why, and what is
    shown for the codes not reached (their last results, when there are any).
    """
    parts: list[str] = []
    left = run.unanswered
    if failure is not None:
        hint = f" {failure.hint}" if failure.hint else ""
        parts.append(f"Check failed: {failure}.{hint}")
    elif left:
        parts.append("Check cancelled.")
    if run.failed:
        reasons: dict[str, int] = {}
        for error in run.failed.values():
            reason = f"{error.title} ({error.status})" if error.status else error.title
            reasons[reason] = reasons.get(reason, 0) + 1
        listed = ", ".join(f"{reason}: {n:,}" for reason, n in reasons.items())
        parts.append(f"Refused by the server, the rest checked: {listed}.")
    codes = "code" if left == 1 else "codes"
    if left:
        results, failed, previous = run.results, run.failed, run.previous
        before = sum(1 for c in run.codes if c not in results and c not in failed and c in previous)
        if before:
            parts.append(f"{left:,} {codes} not re-checked: their last results are shown (dim).")
        else:
            parts.append(f"{left:,} {codes} not checked; results so far kept.")
    return " ".join(parts)


__all__ = ["CheckClient", "check_and_record", "check_codes", "describe_end"]

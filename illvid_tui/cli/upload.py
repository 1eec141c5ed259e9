"""`illvid-tui upload [--folder F] [--wait] TARGET...`: remote uploads (URLs) and local files.

The same queue the app shows, through core's own paths: URLs are checked as
the add dialog checks them (`core.urls`, duplicates of the queue refused),
sent by `Poller.send` (each job written before its request; an unknown
outcome kept as ``unknown``, never sent again), local files by
`LocalUploads` (always sent before the command ends). This process holds a
presence while it sends, so another running app does not take its sends for
interrupted ones. `--wait` polls until every job has finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from illvid_tui.cli import jobs as show
from illvid_tui.cli.context import Context, account_partition
from illvid_tui.cli.failures import from_api
from illvid_tui.cli.inputs import read_text
from illvid_tui.cli.output import CliError, Exit, worst

if TYPE_CHECKING:
    from illvid_tui.api.client import IllvidClient
    from illvid_tui.core.local_store import QueuedFile
    from illvid_tui.core.poller import Poller
    from illvid_tui.core.uploads import Job, UploadStore


@dataclass
class Targets:
    """What the command line asked for: URLs, local files, and what was refused (why)."""

    urls: list[str] = field(default_factory=list)
    files: list[QueuedFile] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def run(ctx: Context) -> Exit:
    raw: list[str] = []
    for target in ctx.args.targets:
        if target == "-":
            text = read_text(ctx, "-")
            raw += [line.strip() for line in text.splitlines() if line.strip()]
        else:
            raw.append(target)
    if not raw:
        raise CliError(Exit.USAGE, "nothing to upload: give URLs or files, or - with one a line")
    return asyncio.run(_run(ctx, raw))


def _split(raw: Sequence[str], queued: dict[str, str]) -> Targets:
    from illvid_tui.core.local_uploads import queued_file
    from illvid_tui.core.urls import check_lines

    out = Targets()
    links = [t for t in raw if "://" in t]
    checked = check_lines("\n".join(links), queued)
    out.urls = checked.accepted
    out.refused = [(r.text, r.reason) for r in checked.refused]
    for target in raw:
        if "://" in target:
            continue
        try:
            out.files.append(queued_file(target))
        except ValueError as error:
            out.refused.append((target, str(error)))
    return out


async def _run(ctx: Context, raw: list[str]) -> Exit:
    from illvid_tui.core.lease import Presence, keep_alive
    from illvid_tui.core.poller import Poller
    from illvid_tui.core.poller_share import Sharing
    from illvid_tui.core.uploads import UploadStore, normalize_url

    out = ctx.out
    folder = ctx.args.folder or None
    async with ctx.client() as client:
        account = await account_partition(client, ctx.settings.base_url)
        db = ctx.database()
        # A file database is shared with other processes (an open app, cron jobs):
        # our presence marks our sends as in flight; --wait polls only with the lease.
        # The presence beats on this (the loop's) connection; the sharing's own
        # connection is its heartbeat thread's.
        sharing = Sharing(db) if db.path is not None else None
        presence = Presence(db, sharing.token if sharing is not None else None)
        store = (
            sharing.store(account) if sharing else UploadStore(db, account, sender=presence.token)
        )
        queued = {normalize_url(j.url): j.state.value for j in store.jobs() if not j.is_local}
        targets = _split(raw, queued)
        for text, why in targets.refused:
            out.error(f"not queued: {text[:200]}: {why}")
        if not targets.urls and not targets.files:
            raise CliError(Exit.USAGE, "nothing left to upload")
        poller = Poller(store, client, wall=ctx.now, sharing=sharing)
        stopped: Any = None
        gave_up = ""
        try:
            async with keep_alive(presence):
                server_refused: list[tuple[str, str]] = []
                if targets.urls:
                    report = await poller.send(
                        targets.urls,
                        folder,
                        on_progress=lambda r: out.progress(f"sending {r.done:,}/{r.total:,}"),
                    )
                    out.progress_done()
                    server_refused = report.refused
                    stopped = report.stopped_by
                local = (
                    await _send_files(ctx, store, client, targets.files, folder)
                    if targets.files
                    else []
                )
                remote = list(poller.jobs.values())
                if ctx.args.wait and stopped is None:
                    remote, gave_up = await _wait(ctx, poller, [j.key for j in remote])
        finally:
            poller.close()
    ended = remote + local
    records = [show.record(job) for job in ended]
    refused = [(t, why) for t, why in targets.refused] + server_refused
    records += [_refused_record(t, why) for t, why in refused]
    if out.fmt == "json":
        out.document(records)
    elif out.fmt == "ndjson":
        for item in records:
            out.record(item)
    else:
        show.table(out, ended)
    out.note(show.counts(ended) + (f"; {len(refused):,} not queued" if refused else ""))
    status = _status(ended, bool(refused))
    if gave_up:
        minutes = round(NO_ANSWER_LIMIT / 60)
        out.error(
            f"stopped waiting: no poll answered for {minutes} min ({gave_up}); the jobs stay "
            "in the queue. Next: check the connection, then `illvid-tui uploads --watch`."
        )
        status = worst(status, Exit.FAILED)
    if stopped is not None:
        failure = from_api(stopped, ctx.source)
        out.error(f"sending stopped: {failure.text}")
        status = worst(status, failure.status)
    return status


def _refused_record(target: str, why: str) -> dict[str, Any]:
    local = "://" not in target
    return {
        "id": None,
        "kind": "local" if local else "remote",
        "url": None if local else target,
        "path": target if local else None,
        "folder": None,
        "state": "refused",
        "status": "",
        "queue_id": None,
        "file_code": None,
        "progress": None,
        "error": why,
        "added_at": None,
        "finished_at": None,
    }


def _status(ended: Sequence[Job], refused: bool) -> Exit:
    from illvid_tui.core.uploads import JobState

    states = {job.state for job in ended}
    if states & {JobState.UNKNOWN}:
        return Exit.FAILED
    if refused or states & {JobState.FAILED, JobState.INTERRUPTED}:
        return Exit.ATTENTION
    return Exit.OK


async def _send_files(
    ctx: Context,
    store: UploadStore,
    client: IllvidClient,
    files: list[QueuedFile],
    folder: str | None,
) -> list[Job]:
    """Queue and send the local files now; they are always sent before the command ends."""
    from illvid_tui.core.lease import live_processes
    from illvid_tui.core.local_uploads import LocalUploads

    out = ctx.out
    sent: dict[str, tuple[int, int]] = {}

    def published(changed: Sequence[Job]) -> None:
        for job in changed:
            sent[job.key] = (job.bytes_sent, int(job.size or 0))
        done = sum(s for s, _ in sent.values())
        total = sum(t for _, t in sent.values()) or 1
        out.progress(f"uploading {len(sent)} file(s): {done * 100 // total}%")

    runner = LocalUploads(
        store,
        lambda: client,
        publish=published,
        live_senders=lambda: live_processes(store.db, ctx.now()),
        wall=ctx.now,
    )
    try:
        queued = runner.queue(files, folder)
        ended = await runner.send_now(queued)
    finally:
        await runner.aclose()
        out.progress_done()
    return ended


#: Seconds `--wait` goes on while no poll gets an answer (network down, server
#: failing): then it ends with exit 1, the jobs kept in the queue.
NO_ANSWER_LIMIT = 600.0


async def _wait(ctx: Context, poller: Poller, keys: list[str]) -> tuple[list[Job], str]:
    """Poll until every job of `keys` has finished (the poller's schedule and 509 rule).

    Returns the jobs, and why it stopped waiting early ("" when all finished):
    `NO_ANSWER_LIMIT` seconds in which every poll of the jobs left failed.
    """
    import time

    from illvid_tui.core.uploads import JobState

    changed = asyncio.Event()
    poller.subscribe(lambda event: changed.set())

    def pending() -> list[Job]:
        return [
            j for k in keys if (j := poller.jobs.get(k)) is not None and j.state is JobState.RUNNING
        ]

    failing_since: float | None = None
    why = ""
    task = asyncio.create_task(poller.run(), name="upload --wait poller")
    try:
        while left := pending():
            if all(j.poll_error for j in left):
                now = time.monotonic()
                failing_since = now if failing_since is None else failing_since
                if now - failing_since >= NO_ANSWER_LIMIT:
                    why = left[0].poll_error or "no answer"
                    break
            else:
                failing_since = None
            wait = ""
            if poller.blocked and poller.blocked_until_wall is not None:
                wait = f"; the server asked to wait (509) until {_clock(poller.blocked_until_wall)}"
            ctx.out.progress(f"waiting for {len(left):,} of {len(keys):,} upload(s){wait}")
            changed.clear()
            try:
                # Woken by each change; the timeout re-checks the no-answer limit.
                async with asyncio.timeout(min(30.0, NO_ANSWER_LIMIT) or None):
                    await changed.wait()
            except TimeoutError:
                pass
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        ctx.out.progress_done()
    return [poller.jobs[k] for k in keys if k in poller.jobs], why


def _clock(stamp: float) -> str:
    import time

    return time.strftime("%H:%M:%S", time.localtime(stamp))

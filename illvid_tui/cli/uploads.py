"""`illvid-tui uploads [--state S] [--watch] [--no-poll]`: the upload queue every process shares.

Unfinished jobs are polled once first, by core's poller and under its rules
(the poll lease: when another running illvid-tui polls this account, its
answers are in the database already and this command only reads them).
`--watch` keeps the poller running and prints each change (an object a line
with `--ndjson`) until every job has finished.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from illvid_tui.cli import jobs as show
from illvid_tui.cli.context import Context, account_partition
from illvid_tui.cli.output import Exit, worst

if TYPE_CHECKING:
    from illvid_tui.core.poller import Poller
    from illvid_tui.core.uploads import Job

#: States that are not finished yet (watched until they are).
_OPEN = ("sending", "running", "waiting", "uploading")


def run(ctx: Context) -> Exit:
    return asyncio.run(_run(ctx))


async def _run(ctx: Context) -> Exit:
    from illvid_tui.core.poller import Poller
    from illvid_tui.core.poller_share import Sharing
    from illvid_tui.core.uploads import UploadStore

    out = ctx.out
    async with ctx.client() as client:
        account = await account_partition(client, ctx.settings.base_url)
        db = ctx.database()
        sharing = Sharing(db) if db.path is not None else None
        store = sharing.store(account) if sharing else UploadStore(db, account)
        poller = Poller(store, client, wall=ctx.now, sharing=sharing)
        polled = Exit.OK
        try:
            poller.load()
            if not ctx.args.no_poll:
                polled = await _poll_once(ctx, poller)
            jobs = _shown(ctx, list(poller.jobs.values()))
            if ctx.args.watch:
                await _watch(ctx, poller)
                jobs = _shown(ctx, list(poller.jobs.values()))
            elif out.fmt == "json":
                out.document([show.record(j) for j in jobs])
            elif out.fmt == "ndjson":
                for job in jobs:
                    out.record(show.record(job))
            else:
                show.table(out, jobs)
        finally:
            poller.close()
    out.note(show.counts(jobs))
    return worst(_status(jobs), polled)


def _shown(ctx: Context, jobs: list[Job]) -> list[Job]:
    state = ctx.args.state
    jobs.sort(key=lambda j: j.id)
    return [j for j in jobs if state is None or j.state.value == state]


async def _poll_once(ctx: Context, poller: Poller) -> Exit:
    """Check the running jobs now, unless another process polls this account.

    FAILED when the server could not be asked (a 509, or no answer for any
    job): the states shown are then the last known ones.
    """
    await poller.beat()
    if not poller.leading:
        by = poller.polled_by.describe() if poller.polled_by else "another illvid-tui"
        ctx.out.note(f"another illvid-tui ({by}) polls this account: showing what it wrote")
        return Exit.OK
    if not poller.unfinished:
        return Exit.OK
    ctx.out.progress(f"polling {poller.unfinished:,} unfinished upload(s)")
    stats = await poller.cycle(force=True)
    ctx.out.progress_done()
    stale = "the states shown are the last known ones"
    if poller.blocked:
        ctx.out.error(
            f"check_upload_url: Bandwidth exceeded (509): not polled, {stale}. "
            "Next: the server is over its bandwidth (peak hours): try again later."
        )
        return Exit.FAILED
    if stats.requests and stats.errors == stats.requests:
        why = next((j.poll_error for j in poller.jobs.values() if j.poll_error), "no answer")
        ctx.out.error(
            f"check_upload_url: {why}: not polled, {stale}. "
            "Next: check the connection and --base-url, then try again."
        )
        return Exit.FAILED
    if stats.errors:
        ctx.out.note(f"{stats.errors:,} of {stats.requests:,} upload(s) could not be polled")
    return Exit.OK


async def _watch(ctx: Context, poller: Poller) -> None:
    """Run the poller and print each change until no job is left unfinished."""
    out = ctx.out
    changed: set[str] = set()
    woke = asyncio.Event()

    def heard(event: object) -> None:
        keys = getattr(event, "keys", None)
        if keys:
            changed.update(keys)
        woke.set()

    poller.subscribe(heard)
    seen = {k: j for k, j in poller.jobs.items()}
    if out.fmt == "ndjson":
        for job in _shown(ctx, list(seen.values())):
            out.record(show.record(job))
    elif out.human:
        show.table(out, _shown(ctx, list(seen.values())))
    task = asyncio.create_task(poller.run(), name="uploads --watch poller")
    try:
        while any(j.state.value in _OPEN for j in poller.jobs.values()):
            woke.clear()
            await woke.wait()
            fresh = [poller.jobs[k] for k in sorted(changed, key=int) if k in poller.jobs]
            changed.clear()
            fresh = [j for j in fresh if seen.get(j.key) != j]
            for job in fresh:
                seen[job.key] = job
            for job in _shown(ctx, fresh):
                if out.fmt == "ndjson":
                    out.record(show.record(job))
                elif out.human:
                    out.line(_change_line(job))
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
    if out.fmt == "json":
        out.document([show.record(j) for j in _shown(ctx, list(poller.jobs.values()))])


def _change_line(job: Job) -> str:
    detail = job.file_code or job.error or job.status or ""
    return f"{job.key}  {job.state.value}  {detail}".rstrip()


def _status(jobs: list[Job]) -> Exit:
    states = {j.state.value for j in jobs}
    if "unknown" in states:
        return Exit.ATTENTION
    if states & {"failed", "interrupted"}:
        return Exit.ATTENTION
    return Exit.OK

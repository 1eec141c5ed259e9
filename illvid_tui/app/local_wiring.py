"""The app's local-upload runner: created with the poller, sharing its store and its table.

App layer: it turns core's callbacks into the poller's job list (so the
Uploads screen shows local and remote jobs in one table), toasts and workers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from illvid_tui.core.lease import live_processes
from illvid_tui.core.local_paths import size_text
from illvid_tui.core.local_uploads import LocalUploads
from illvid_tui.core.uploads import Job, JobState

if TYPE_CHECKING:
    from textual.worker import Worker

    from illvid_tui.app.session import SessionApp
    from illvid_tui.core.poller import Poller


#: Seconds toasts of ending uploads are gathered into one.
BATCH_TOAST_AFTER = 0.5


def start_local_uploads(app: SessionApp, poller: Poller) -> tuple[LocalUploads, Worker[None]]:
    """Create the runner for the poller's account, recover, and run it as an app worker.

    The worker is in the poller's group (the app's endless upload workers, which
    tests and screenshots wait past); cancel it to stop the runner (an account
    switch): its uploads in flight end as interrupted.
    """

    def publish(jobs: Sequence[Job]) -> None:
        # After an account switch the old runner's last words are not this account's.
        if runner.local.store is poller.store:
            poller.absorb(jobs)

    ended: list[Job] = []

    def finished(job: Job) -> None:
        # A folder of small files ends many jobs within moments: one toast for them.
        ended.append(job)
        if len(ended) == 1:
            app.set_timer(BATCH_TOAST_AFTER, toast)

    def toast() -> None:
        jobs = list(ended)
        ended.clear()
        if len(jobs) == 1:
            toast_one(jobs[0])
            return
        counts = {s: sum(1 for j in jobs if j.state is s) for s in JobState}
        parts = [f"{counts[JobState.DONE]} done"] if counts[JobState.DONE] else []
        if counts[JobState.FAILED]:
            parts.append(f"{counts[JobState.FAILED]} failed or cancelled")
        if counts[JobState.UNKNOWN]:
            parts.append(f"{counts[JobState.UNKNOWN]} unknown")
        bad = counts[JobState.FAILED] or counts[JobState.UNKNOWN]
        app.notify(
            ", ".join(parts) + " (the Uploads screen has each one)",
            title=f"{len(jobs)} file uploads ended",
            severity="warning" if bad else "information",
            markup=False,
        )

    def toast_one(job: Job) -> None:
        name = Path(job.path or job.url).name
        if job.state is JobState.DONE:
            app.notify(
                f"{name} ({size_text(job.size or 0)})\nfile code {job.file_code}",
                title="Upload done",
                markup=False,
            )
        elif job.state is JobState.UNKNOWN:
            app.notify(
                f"{name}\n{job.error or 'outcome unknown'}",
                title="Upload outcome unknown",
                severity="warning",
                markup=False,
            )
        elif job.state is JobState.FAILED:
            app.notify(
                f"{name}\n{job.error or 'failed'}",
                title="Upload cancelled" if job.error == "cancelled" else "Upload failed",
                severity="warning" if job.error == "cancelled" else "error",
                markup=False,
            )

    store = poller.store

    def live() -> set[str]:
        # Processes whose presence is current (other TUIs, a CLI upload): their
        # uploads are in flight, not interrupted; their waiting jobs are theirs.
        return live_processes(store.db, time.time()) if store.db.path is not None else set()

    runner = LocalUploads(
        store,
        lambda: app.client,
        publish=publish,
        on_finished=finished,
        live_senders=live,
        wall=lambda: app.now().timestamp(),
    )
    recovered = runner.recover()
    if recovered:
        interrupted = sum(1 for j in recovered if j.state is JobState.INTERRUPTED)
        unknown = len(recovered) - interrupted
        parts = []
        if interrupted:
            parts.append(f"{interrupted} interrupted (the server kept nothing: R restarts them)")
        if unknown:
            parts.append(f"{unknown} unknown (the whole file had been sent: check first)")
        app.notify(
            "Local uploads stopped with the app: " + "; ".join(parts) + ".",
            title="Uploads",
            severity="warning",
            markup=False,
        )
    worker = app.run_worker(
        runner.run(),
        name="local uploads",
        group="uploads.poller",
        exclusive=False,  # the poller runs in this group too
        exit_on_error=False,
    )
    return runner, worker


__all__ = ["start_local_uploads"]

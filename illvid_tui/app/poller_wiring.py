"""The app's poller: created once connected, wired to notifications and the header.

App layer: it reaches into the App (notify, connection, workers); core's poller knows none of it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from illvid_tui.core.events import CoreEvent
from illvid_tui.core.poller import Poller
from illvid_tui.core.poller_policy import DEFAULT_INTERVAL, INTERVALS, short_url
from illvid_tui.core.poller_share import Sharing
from illvid_tui.core.prefs import Prefs
from illvid_tui.core.uploads import Job, JobState, UploadStore

if TYPE_CHECKING:
    from illvid_tui.app.session import SessionApp
    from illvid_tui.core.db import Database


def start_poller(app: SessionApp, db: Database) -> Poller:
    """Create the app's poller for the connected account and run it as an app worker."""
    assert app.client is not None and app.account_id is not None
    # A database file may be open in other processes too (another TUI, a cron
    # job): share the queue with them. --demo's in-memory one is ours alone.
    sharing = Sharing(db) if db.path is not None else None

    def store_of(account_id: str) -> UploadStore:
        return sharing.store(account_id) if sharing else UploadStore(db, account_id)

    store = store_of(app.account_id)

    def finished(jobs: list[Job]) -> None:
        done = [j for j in jobs if j.state is JobState.DONE]
        failed = [j for j in jobs if j.state is JobState.FAILED]
        if len(jobs) == 1:
            job = jobs[0]
            if done:
                # The URL and the server's words are shown as written, never as markup.
                app.notify(
                    f"{short_url(job.url)}\nfile code {job.file_code}",
                    title="Upload done",
                    markup=False,
                )
            else:
                app.notify(
                    f"{short_url(job.url)}\n{job.error or job.status}",
                    title="Upload failed",
                    severity="error",
                    markup=False,
                )
            return
        parts = [f"{len(done)} done"] if done else []
        parts += [f"{len(failed)} failed"] if failed else []
        app.notify(
            ", ".join(parts),
            title="Uploads finished",
            severity="error" if failed else "information",
        )

    def blocked_text(p: Poller) -> str:
        until = time.strftime("%H:%M:%S", time.localtime(p.blocked_until_wall or 0))
        return f"server busy (509): polling resumes at {until}"

    def blocked(p: Poller) -> None:
        if p.blocked_until_wall is not None:
            app.connection = ("retrying", blocked_text(p))
        elif app.connection[0] == "retrying":
            app.connection = ("ok", "connected")

    def connection_changed(value: tuple[str, str]) -> None:
        # Another call's success must not hide that polling waits for the server.
        if value[0] == "ok" and poller.blocked:
            app.connection = ("retrying", blocked_text(poller))

    prefs = Prefs(db)
    poller = Poller(
        store,
        lambda: app.client,
        interval=prefs.poll_interval(INTERVALS) or DEFAULT_INTERVAL,
        wall=lambda: app.now().timestamp(),
        on_finished=finished,
        on_block=blocked,
        sharing=sharing,
    )
    kept = poller.interval

    def remember_interval(event: CoreEvent) -> None:
        # `+`/`-` change it; every cycle announces the state too: write on change only.
        nonlocal kept
        if poller.interval != kept:
            kept = poller.interval
            prefs.set_poll_interval(kept)

    poller.subscribe(remember_interval)
    recovered = poller.load()
    if recovered:
        app.notify(
            f"{len(recovered)} upload(s) were being sent when the app stopped; they are marked "
            "'unknown' on the Uploads screen. Check them before sending again.",
            title="Outcome unknown",
            severity="warning",
        )

    def account_changed(account_id: str | None) -> None:
        if account_id is not None:
            poller.switch_account(store_of(account_id))

    app.watch(app, "account_id", account_changed, init=False)
    app.watch(app, "connection", connection_changed, init=False)
    app.run_worker(
        poller.run(),
        name="uploads poller",
        group="uploads.poller",
        exclusive=True,
        exit_on_error=False,
    )
    return poller


__all__ = ["start_poller"]

"""The Uploads screen's actions on jobs: copy, send again, remove, clear finished.

A base class of `UploadsScreen` (screens/uploads.py), which shows the queue and
attaches the poller; this part says which jobs an action applies to (the marked
ones, else the cursor's) and asks before anything that cannot be undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from illvid_tui.core.uploads import Job, JobState
from illvid_tui.screens._actions import copy_text
from illvid_tui.screens.host import AppHost, host
from illvid_tui.screens.table_screen import TableScreen

if TYPE_CHECKING:
    from illvid_tui.core.poller import Poller


class UploadJobActions(TableScreen):
    """Actions on the selected jobs; `UploadsScreen` sets `_poller` up."""

    _poller: Poller | None

    @property
    def _illvid(self) -> AppHost:
        """What the screen asks of the app."""
        return host(self)

    def _cursor_job(self) -> Job | None:
        key = self.table.cursor_key
        if key is None or self._poller is None:
            return None
        return self._poller.jobs.get(key)

    def _selected(self) -> list[Job]:
        """The marked jobs, else the one under the cursor."""
        if self._poller is None:
            return []
        keys = self.table.marked or ({self.table.cursor_key} - {None})
        return [self._poller.jobs[k] for k in keys if k in self._poller.jobs]

    def _need_poller(self) -> Poller | None:
        if self._poller is None:
            self.notify("Not connected yet.", severity="warning")
        return self._poller

    # -- actions -------------------------------------------------------------------

    def action_copy_code(self) -> None:
        """Copy the file code of the job under the cursor."""
        job = self._cursor_job()
        if job is None or not job.file_code:
            self.notify("No file code yet: the upload is not done.", severity="warning")
            return
        copy_text(self, job.file_code, job.file_code)

    def action_copy_link(self) -> None:
        """Copy the file link of the job under the cursor."""
        job = self._cursor_job()
        if job is None or not job.file_code:
            self.notify("No file link yet: the upload is not done.", severity="warning")
            return
        link = self._illvid.file_link(job.file_code)
        copy_text(self, link, link)

    def _restart_local_jobs(self, jobs: list[Job]) -> bool:
        """Restart the local-file jobs among `jobs` (`LocalUploadActions`); True if any."""
        return False

    def action_retry(self) -> None:
        """Queue failed jobs again; send unknown ones again after asking."""
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        poller = self._need_poller()
        if poller is None:
            return
        selected = self._selected()
        restarted_local = self._restart_local_jobs(selected)
        jobs = poller.resendable(j.key for j in selected)
        if not jobs and restarted_local:
            return
        if not jobs:
            self.notify("Only failed or unknown uploads can be sent again.", severity="warning")
            return
        unknown = [j for j in jobs if j.state is JobState.UNKNOWN]
        if not unknown:
            self._resend(jobs)
            return
        question = (
            f"{len(unknown)} upload(s) have an unknown outcome: the server may have queued "
            "them already, and sending again may make a second copy. Send again?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._resend(jobs)

        self.app.push_screen(ConfirmScreen(question, "Send again"), answered)

    @work(group="uploads.resend", exit_on_error=False, description="send uploads again")
    async def _resend(self, jobs: list[Job]) -> None:
        poller = self._poller
        if poller is None:
            return
        report = await poller.send([j.url for j in jobs], resend_ids=[j.id for j in jobs])
        from illvid_tui.screens.add_urls import report_text

        ok = report.queued == report.total
        self.notify(
            report_text(report),
            title="Send again",
            severity="information" if ok else "warning",
            markup=False,
        )

    def action_remove(self) -> None:
        """Remove the selected jobs from the list (local only: nothing is sent)."""
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        jobs = self._selected()
        if not jobs:
            return
        what = f"{len(jobs)} entries" if len(jobs) > 1 else jobs[0].url
        question = (
            f"Remove {what} from this list? This is local only: the server is not told, "
            "and an upload still running goes on."
        )

        def answered(yes: bool | None) -> None:
            if yes and self._poller is not None:
                # The table drops the removed keys from its marks by itself.
                removed = self._poller.remove(j.key for j in jobs)
                self.notify(f"Removed {removed} from the list.", timeout=2)

        self.app.push_screen(ConfirmScreen(question, "Remove"), answered)

    def action_clear_finished(self) -> None:
        """Clear every done and failed job from the list."""
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        poller = self._need_poller()
        if poller is None:
            return
        finished = sum(1 for j in poller.jobs.values() if j.state.finished)
        if not finished:
            self.notify("No finished uploads to clear.")
            return

        def answered(yes: bool | None) -> None:
            if yes and self._poller is not None:
                self.notify(f"Cleared {self._poller.clear_finished()} finished upload(s).")

        question = f"Clear {finished} finished upload(s) (done and failed) from the history?"
        self.app.push_screen(ConfirmScreen(question, "Clear"), answered)


__all__ = ["UploadJobActions"]

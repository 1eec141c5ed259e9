"""The Uploads screen's keys for local files: upload (u), cancel (X), restart (R).

A mixin, so the screen module stays about the table; it reaches the app's
local-upload runner through the screens' `AppHost` protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

from illvid_tui.core.local_uploads import Live, LocalUploads
from illvid_tui.core.uploads import Job, JobState
from illvid_tui.screens.host import host

BINDINGS = [
    Binding("u", "upload_files", "Upload files", id="uploads.upload_files"),
    Binding("X", "cancel_upload", "Cancel upload", show=False, id="uploads.cancel"),
]

#: Local jobs R starts again (from zero; an unknown one only after asking).
RESTARTABLE = (JobState.INTERRUPTED, JobState.FAILED, JobState.UNKNOWN)


class LocalUploadActions(Screen[None]):
    """Keys of the Uploads screen that act on local-file jobs."""

    if TYPE_CHECKING:  # the Uploads screen's own

        def _selected(self) -> list[Job]: ...

    def _runner(self) -> LocalUploads | None:
        runner = host(self).local_uploads
        if runner is None:
            self.notify("Not connected yet.", severity="warning")
        return runner

    def live_of(self, key: str) -> Live | None:
        """This process's progress of a running local upload, for its cells."""
        runner = host(self).local_uploads
        return None if runner is None else runner.live.get(key)

    def live_map(self) -> Mapping[str, Live]:
        runner = host(self).local_uploads
        return {} if runner is None else runner.live

    def action_upload_files(self) -> None:
        """Upload files from this machine."""
        from illvid_tui.screens.upload_files import UploadFilesScreen

        runner = self._runner()
        if runner is not None:
            self.app.push_screen(UploadFilesScreen(runner))

    def action_cancel_upload(self) -> None:
        """Cancel the selected local uploads (waiting or sending), after asking."""
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        runner = self._runner()
        if runner is None:
            return
        jobs = [
            j
            for j in self._selected()
            if j.is_local and j.state in (JobState.WAITING, JobState.UPLOADING)
        ]
        if not jobs:
            self.notify("Only waiting or running file uploads can be cancelled.")
            return
        what = f"{len(jobs)} uploads" if len(jobs) > 1 else Path(jobs[0].path or "").name
        question = (
            f"Cancel {what}? What was sent is dropped: the server keeps nothing, and the "
            "job stays in the list as failed (cancelled); R starts it again from zero."
        )

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            others = [j for j in jobs if not runner.cancel(j)]
            if others:
                self.notify(
                    f"{len(others)} upload(s) are being sent by another illvid-tui process;"
                    " cancel them there.",
                    severity="warning",
                )

        self.app.push_screen(ConfirmScreen(question, "Cancel upload"), answered)

    def _restart_local_jobs(self, jobs: list[Job]) -> bool:
        local = [j for j in jobs if j.is_local and j.state in RESTARTABLE]
        if local:
            self.restart_local(local)
        return bool(local)

    def restart_local(self, jobs: list[Job]) -> None:
        """Start local jobs again from zero; ask first when one may be on the server."""
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        runner = self._runner()
        if runner is None:
            return
        unknown = [j for j in jobs if j.state is JobState.UNKNOWN]

        def go() -> None:
            restarted, refused = runner.restart(jobs)
            if restarted:
                self.notify(f"Restarting {len(restarted)} upload(s) from zero.", timeout=2)
            for job, why in refused[:5]:
                self.notify(f"{job.path}: {why}", title="Not restarted", severity="warning")

        if not unknown:
            go()
            return
        question = (
            f"{len(unknown)} file upload(s) have an unknown outcome: the whole file reached "
            "the server, which may have kept it. Sending again may make a second copy. Send again?"
        )
        self.app.push_screen(
            ConfirmScreen(question, "Send again"), lambda yes: go() if yes else None
        )


__all__ = ["BINDINGS", "RESTARTABLE", "LocalUploadActions"]

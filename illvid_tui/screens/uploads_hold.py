"""What changed in the queue while the Uploads screen was covered, kept for when it shows.

Anything that changes on a screen under a dialog makes Textual repaint the
whole terminal (it composes the dialog over the screen again): with 500
polled jobs, 2-4 KB/s behind a confirmation nobody can read through, and 1 MB
while 500 URLs are sent. So while another screen (a dialog, another section)
is on top, the Uploads screen only notes what changed and applies it, once, when
it is shown again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from illvid_tui.core.jobs import Job


@dataclass
class HeldChanges:
    """Jobs changed (as stored) or removed, and whether the status line or the ages are stale."""

    jobs: dict[str, Job] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    status: bool = False
    ages: bool = False

    def hold(self, jobs: Mapping[str, Job], removed: Iterable[str]) -> None:
        """Fold one `UploadsChanged` in (the later word on a key wins)."""
        removed = set(removed)
        self.jobs = {k: j for k, j in self.jobs.items() if k not in removed} | dict(jobs)
        self.removed = (self.removed - jobs.keys()) | removed
        self.status = True

    def take(self) -> HeldChanges:
        """What was held, leaving this empty."""
        held = HeldChanges(self.jobs, self.removed, self.status, self.ages)
        self.jobs, self.removed, self.status, self.ages = {}, set(), False, False
        return held


__all__ = ["HeldChanges"]

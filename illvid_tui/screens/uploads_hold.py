"""What changed in the queue while the Uploads screen was covered, kept for when it shows.

Anything that changes on a screen under a dialog makes Textual repaint the
whole terminal (it composes the dialog over the screen again): with 500
polled jobs, 2-4 KB/s behind a confirmation nobody can read through, and 1 MB
while 500 URLs are sent. So while another screen (a dialog, another section)
is on top, the Uploads screen only notes what changed and applies it, once, when
it is shown again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class HeldChanges:
    """Job keys changed or removed, and whether the status line or the ages are stale."""

    keys: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    status: bool = False
    ages: bool = False

    def hold(self, keys: Iterable[str], removed: Iterable[str]) -> None:
        """Fold one `UploadsChanged` in (the later word on a key wins)."""
        keys, removed = set(keys), set(removed)
        self.keys = (self.keys - removed) | keys
        self.removed = (self.removed - keys) | removed
        self.status = True

    def take(self) -> HeldChanges:
        """What was held, leaving this empty."""
        held = HeldChanges(self.keys, self.removed, self.status, self.ages)
        self.keys, self.removed, self.status, self.ages = set(), set(), False, False
        return held


__all__ = ["HeldChanges"]

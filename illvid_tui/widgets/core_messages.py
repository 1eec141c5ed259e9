"""Textual messages made from core's events (`illvid_tui.core.events`), bursts merged.

A screen subscribes `forward_to(self)` to a core announcer (the poller): each event
arrives as the message of the same name, posted to the screen. Pending messages of
one kind merge into one, so a burst of poll results repaints once, not per event
(it is what keeps the bytes sent to a terminal over SSH low).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.message import Message
from textual.message_pump import MessagePump

from illvid_tui.core import events
from illvid_tui.core.events import CoreEvent, Listener
from illvid_tui.core.uploads import Job


class UploadsChanged(Message):
    """Jobs were added or changed (`jobs`, as now stored) or went away (`removed`).

    Bursts merge: the newest version of each job, removals after changes.
    """

    def __init__(self, jobs: Mapping[str, Job] | None = None, removed: Iterable[str] = ()) -> None:
        super().__init__()
        self.jobs: dict[str, Job] = dict(jobs or {})
        self.removed: set[str] = set(removed)

    @property
    def keys(self) -> set[str]:
        return set(self.jobs)

    def can_replace(self, message: Message) -> bool:
        # Called on the older message with the newer pending one: fold ours into it.
        if not isinstance(message, UploadsChanged):
            return False
        older = {k: j for k, j in self.jobs.items() if k not in message.removed}
        message.jobs = older | message.jobs
        message.removed |= self.removed - message.jobs.keys()
        return True


class PollerStateChanged(Message):
    """Paused, resumed, blocked by a 509, interval changed, or a cycle ended."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PollerStateChanged)


def message_of(event: CoreEvent) -> Message:
    """The Textual message for a core event."""
    if isinstance(event, events.UploadsChanged):
        return UploadsChanged(event.jobs, event.removed)
    return PollerStateChanged()


def forward_to(target: MessagePump) -> Listener:
    """A listener posting each core event to `target` as its Textual message."""

    def forward(event: CoreEvent) -> None:
        target.post_message(message_of(event))

    return forward


__all__ = ["PollerStateChanged", "UploadsChanged", "forward_to", "message_of"]

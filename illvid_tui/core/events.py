"""What core announces, as plain data: one module for every event core posts.

Core never imports Textual. A front-end subscribes a callback to an `Announcer`
(the poller has one); the TUI turns each event into a Textual message (see
`illvid_tui.widgets.core_messages`, which also merges bursts), the CLI may print it.
Callbacks run in the announcer's thread (the poller's: the event loop) and must be quick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from illvid_tui.core.uploads import Job


@dataclass(frozen=True, eq=False)
class UploadsChanged:
    """Jobs were added or changed (`jobs`: each as now stored) or went away (`removed`).

    Keyed as everywhere else: the job's row id as text (`Job.key`), for life.
    The event carries the jobs themselves, so a listener never has to look
    them up in the poller.
    """

    jobs: Mapping[str, Job] = field(default_factory=lambda: MappingProxyType({}))
    removed: frozenset[str] = field(default_factory=frozenset)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.jobs)

    @classmethod
    def of(cls, jobs: Iterable[Job] = (), removed: Iterable[str] = ()) -> UploadsChanged:
        return cls(MappingProxyType({job.key: job for job in jobs}), frozenset(removed))


@dataclass(frozen=True)
class PollerStateChanged:
    """Paused, resumed, blocked by a 509, interval changed, or a cycle ended."""


#: Every event core announces.
CoreEvent = UploadsChanged | PollerStateChanged
#: A subscriber: called with each event.
Listener = Callable[[CoreEvent], None]


class Announcer:
    """A list of listeners; `announce` calls each with the event, in subscription order."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def announce(self, event: CoreEvent) -> None:
        for listener in list(self._listeners):
            listener(event)


__all__ = ["Announcer", "CoreEvent", "Listener", "PollerStateChanged", "UploadsChanged"]

"""What core announces, as plain data: one module for every event core posts.

Core never imports Textual. A front-end subscribes a callback to an `Announcer`
(the poller has one); the TUI turns each event into a Textual message (see
`illvid_tui.widgets.core_messages`, which also merges bursts), the CLI may print it.
Callbacks run in the announcer's thread (the poller's: the event loop) and must be quick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UploadsChanged:
    """Jobs were added or changed (`keys`) or went away (`removed`), keyed as in the store."""

    keys: frozenset[str] = field(default_factory=frozenset)
    removed: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, keys: Iterable[str] = (), removed: Iterable[str] = ()) -> UploadsChanged:
        return cls(frozenset(keys), frozenset(removed))


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

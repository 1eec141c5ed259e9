"""Keys typed in a burst reach the screen the earlier keys open, in order.

Textual hands each key from the terminal to the focused widget as soon as the
app reads it, and the bindings (a section key, `a` for the add dialog) run only
when the key has bubbled back up to the app. In a burst (`2a` from a fast
typist, a macro, `tmux send-keys`) the `a` has then already gone to the old
screen: it is lost, or does the old screen's thing.

`KeysInOrder` hands the terminal's keys (and pastes) over one at a time: after
each it sends a marker along the same way (to the same widget, bubbling up
behind the key); the next key waits until the marker is back at the app. If
the screen changed meanwhile (a section, a dialog), the marker goes once more
through the new screen's queue, behind its mount and resume (where it takes
the focus), then through the app's own queue, behind what the handler left for
later there (`focus()` is such a call), so the next key finds it all ready.
A marker that never comes back (its widget was removed on the way) lets the
keys go after `GIVE_UP` seconds.
Only public Textual API: `on_event`, messages and their bubbling.
"""

from __future__ import annotations

import logging
from collections import deque
from itertools import count

from textual import events, on
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

__all__ = ["GIVE_UP", "KeysInOrder"]

log = logging.getLogger("illvid_tui.app")

#: Seconds after which held keys go on even if their marker was lost.
GIVE_UP = 1.0


class _KeyHandled(Message):
    """Follows a key to its widget and bubbles up behind it (`flight` names the key)."""

    def __init__(
        self, flight: int, screen: Screen[object] | None, *, lost: bool = False, last: bool = False
    ) -> None:
        super().__init__()
        self.flight = flight
        self.screen = screen
        self.lost = lost
        #: The last lap, through the app's own queue.
        self.last = last


class KeysInOrder(App[None]):
    """Holds each terminal key until the one before it has been handled."""

    def __init__(self) -> None:
        super().__init__()
        self._held_input: deque[events.Key | events.Paste] = deque()
        self._flights = count(1)
        #: The key (its marker's number) being handled, or None.
        self._in_flight: int | None = None
        self._give_up: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._in_flight is not None:
                self._held_input.append(event)
            else:
                await self._hand_over(event)
            return
        await super().on_event(event)

    async def _hand_over(self, event: events.Key | events.Paste) -> None:
        # Textual forwards the key to this same widget (or runs a priority binding).
        screen = self.screen
        target = self.focused or screen
        await super().on_event(event)
        flight = self._in_flight = next(self._flights)
        target.post_message(_KeyHandled(flight, screen))
        if self._give_up is not None:
            self._give_up.stop()
        self._give_up = self.set_timer(
            GIVE_UP, lambda: self.post_message(_KeyHandled(flight, None, lost=True))
        )

    @on(_KeyHandled)
    async def _key_handled(self, message: _KeyHandled) -> None:
        message.stop()
        if message.flight != self._in_flight:
            return  # a late marker, or a timeout after the marker came back
        if message.lost:
            log.debug("a key's marker did not come back: the held keys go on")
        elif message.screen is not self.screen:
            # The key changed the screen: once more through the new one's queue.
            self.screen.post_message(_KeyHandled(message.flight, self.screen))
            return
        elif not message.last:
            # What the key's handler left for later on the app (a `focus()`) goes first.
            self.post_message(_KeyHandled(message.flight, self.screen, last=True))
            return
        self._in_flight = None
        if self._give_up is not None:
            self._give_up.stop()
            self._give_up = None
        if self._held_input:
            await self._hand_over(self._held_input.popleft())

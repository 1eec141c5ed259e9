"""How far this process's local uploads are: bytes handed over, speed, ETA.

The runner (core/local_uploads.py) updates a `Live` per running upload; the
Uploads screen and the header read them (`InFlight` sums them up).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

#: The window the speed is measured over.
SPEED_WINDOW = 5.0


@dataclass
class Live:
    """A running upload of this process: bytes handed over, speed, ETA."""

    sent: int = 0
    total: int = 0
    _samples: deque[tuple[float, int]] = field(default_factory=deque)

    def update(self, sent: int, total: int, now: float) -> None:
        if sent < self.sent:  # a retry starts from zero
            self._samples.clear()
        self.sent, self.total = sent, total
        self._samples.append((now, sent))
        while len(self._samples) > 2 and now - self._samples[0][0] > SPEED_WINDOW:
            self._samples.popleft()

    @property
    def speed(self) -> float | None:
        """Bytes per second over the last few seconds; None before two samples."""
        if len(self._samples) < 2:
            return None
        (t0, s0), (t1, s1) = self._samples[0], self._samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else None

    @property
    def eta(self) -> float | None:
        speed = self.speed
        return (self.total - self.sent) / speed if speed else None


@dataclass(frozen=True)
class InFlight:
    """This process's running uploads together (the header shows it)."""

    count: int
    sent: int
    total: int
    speed: float

    @property
    def percent(self) -> float:
        return 100.0 * self.sent / self.total if self.total else 0.0


__all__ = ["SPEED_WINDOW", "InFlight", "Live"]

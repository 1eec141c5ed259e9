"""Build big acyclic data without the garbage collector's long pauses.

Python's cyclic collector runs a full pass each time the heap grows by a
quarter; building 50,000 notices or table rows triggers several, each walking
the whole heap with the GIL held (45-90 ms measured), whichever thread builds.
While `building_big_data()` is active the collector stays off; at the end
what was built is frozen (moved where the collector never walks it). The
data is acyclic, so reference counting still frees it when it is dropped.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def building_big_data() -> Iterator[None]:
    """Pause automatic collection while a big acyclic structure is built (nestable)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()


def freeze_startup_objects() -> None:
    """Exclude everything alive after start-up (modules, classes, widgets) from later passes."""
    gc.freeze()

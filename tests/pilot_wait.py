"""Waiting in a pilot test for what the app does, never for a length of time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def until(
    pilot: Pilot[Any], condition: Callable[[], Any], what: str = "the condition", limit: float = 30
) -> None:
    """Let the app run until `condition()` holds; fail (never hang) after `limit` seconds."""
    try:
        async with asyncio.timeout(limit):
            while not condition():
                await pilot.pause(0.005)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None

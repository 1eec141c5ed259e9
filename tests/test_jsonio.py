"""The cooperative JSON decoder gives what json.loads gives, and yields on big arrays."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from illvid_tui.api import jsonio

BIG = {
    "status": "200",
    "msg": "OK",
    "result": [
        {"file_code": f"c{i:011d}", "dmca_created": "2026-11-01", "dmca_expire": "2026-12-0\u00e9"}
        for i in range(20_000)
    ],
    "extra": {"nested": [1, [2, 3], {"a": None}], "empty": [], "t": True},
}


async def test_big_body_decodes_like_json_loads() -> None:
    raw = json.dumps(BIG, indent=1).encode()
    assert len(raw) > jsonio.COOPERATIVE_FROM
    assert await jsonio.loads(raw) == BIG


def test_big_body_is_decoded_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # A thread hands the GIL back every few ms between elements; one json.loads
    # call would hold it (and the event loop) for the whole body.
    threads: list[Any] = []
    real = asyncio.to_thread

    async def spy(func: Any, *args: Any) -> Any:
        threads.append(func)
        return await real(func, *args)

    monkeypatch.setattr(jsonio.asyncio, "to_thread", spy)
    assert asyncio.run(jsonio.loads(json.dumps(BIG).encode())) == BIG
    assert threads == [jsonio._loads_big]
    asyncio.run(jsonio.loads(b'{"status": 200}'))
    assert len(threads) == 1  # small bodies decode in one call


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(BIG)[: len(json.dumps(BIG)) // 2],  # cut in the middle
        json.dumps(BIG) + " trailing",
        json.dumps(BIG).replace('"msg":', '"msg"'),
    ],
    ids=["truncated", "trailing", "no-colon"],
)
async def test_broken_big_bodies_raise_value_error(raw: str) -> None:
    with pytest.raises(ValueError):
        await jsonio.loads(raw.encode())


async def test_small_and_non_object_bodies() -> None:
    assert await jsonio.loads(b'{"status": 200}') == {"status": 200}
    big_list = [{"a": i} for i in range(30_000)]
    assert await jsonio.loads(json.dumps(big_list).encode()) == big_list
    with pytest.raises(ValueError):
        await jsonio.loads(b"<html>502 Bad Gateway</html>")


def test_peek_array_reads_only_the_head_of_the_answer() -> None:
    raw = json.dumps(BIG, indent=1).encode()
    peeked = jsonio.peek_array(raw, "result", 30)
    assert peeked is not None
    before, head = peeked
    assert before == {"status": "200", "msg": "OK"}
    assert head == BIG["result"][:30]
    # A prefix of the body (as it arrives) gives the elements that are whole.
    cut = raw[: raw.index(b"c00000000005") + 4]
    assert jsonio.peek_array(cut, "result", 30) == (before, BIG["result"][:5])


@pytest.mark.parametrize(
    "text",
    ['{"result": 3, "status": 200}', '{"status": 200}', "[1, 2]", "", '{"status": 2'],
)
def test_peek_array_without_a_leading_array_is_none(text: str) -> None:
    assert jsonio.peek_array(text, "result", 5) is None


def test_peek_array_of_a_small_or_empty_array() -> None:
    assert jsonio.peek_array('{"status":200,"result":[]}', "result", 5) == ({"status": 200}, [])
    assert jsonio.peek_array('{"result":[1,2,3],"status":200}', "result", 2) == ({}, [1, 2])

"""`account_info`'s answer, typed: `AccountInfo`, and the tolerant readers it shares.

Apart from api.models (which re-exports all of this) because the app's first
frame shows the last run's account (core.account_cache): this module is all
that needs, not the other results' dataclasses and enum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from illvid_tui.api.errors import InvalidResponseError


def text_or_none(value: Any) -> str | None:
    """A field as text (a whole JSON float loses its ".0"); None when absent."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def parse_decimal(value: Any) -> Decimal | None:
    """A money amount as `Decimal` (never a float); None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        # str() first so a JSON float 4050.1 becomes Decimal("4050.1"), not its binary value.
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def one_mapping(result: Any, op: str) -> Mapping[str, Any]:
    """The object a result holds (alone, or as a one-item list); else the answer is invalid."""
    if isinstance(result, list) and len(result) == 1:
        result = result[0]
    if not isinstance(result, Mapping):
        raise InvalidResponseError(200, f"expected an object, got {type(result).__name__}", op=op)
    return result


@dataclass(frozen=True)
class AccountInfo:
    """`account_info`: the account's login and balance, and any other field sent."""

    login: str
    money: Decimal | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_result(cls, result: Any) -> AccountInfo:
        data = one_mapping(result, "account_info")
        extra = {k: v for k, v in data.items() if k not in ("login", "money")}
        return cls(
            login=text_or_none(data.get("login")) or "",
            money=parse_decimal(data.get("money")),
            extra=extra,
        )

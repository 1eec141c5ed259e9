"""What a user's keymap gets wrong: ids no binding has, and keys two ids now share.

Textual ignores an unknown id and lets one of two bindings on a key win
without a word; the app says it once, at start-up, naming them. Only clashes
the keymap makes are reported (the defaults are ours to keep apart).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

#: Where a set of bindings is active: everywhere (the app), on one screen, or
#: in a widget (on whichever screens show it).
Kind = Literal["app", "screen", "widget"]


@dataclass(frozen=True)
class Scope:
    """The bindings with an id of one class, as keys (normalized) per id."""

    name: str
    kind: Kind
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _keys(keys: str) -> tuple[str, ...]:
    """Normalized keys ("?" -> "question_mark"), as Textual binds them."""
    return tuple(b.key for b in Binding.make_bindings([Binding(keys, "")]))


def scope_of(cls: type[DOMNode]) -> Scope:
    """The id'd bindings `cls` has, its base classes' included (Textual merges them)."""
    kind: Kind = (
        "app" if issubclass(cls, App) else "screen" if issubclass(cls, Screen) else "widget"
    )
    found: dict[str, tuple[str, ...]] = {}
    for klass in reversed(cls.__mro__):
        for binding in klass.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found[binding.id] = _keys(binding.key)
    return Scope(f"{cls.__module__}.{cls.__qualname__}", kind, found)


def our_scopes(
    packages: Iterable[str] = ("illvid_tui.screens", "illvid_tui.widgets"),
) -> list[Scope]:
    """Every screen and widget class of ours that has id'd bindings (imports them all)."""
    scopes: dict[str, Scope] = {}
    for package_name in packages:
        package = importlib.import_module(package_name)
        names = [package_name]
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package_name}.")]
        for name in names:
            module = importlib.import_module(name)
            for _attr, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__.startswith("illvid_tui."):
                    scope = scope_of(cls)
                    if scope.keys:
                        scopes.setdefault(scope.name, scope)
    return list(scopes.values())


def _meet(a: Scope, b: Scope) -> bool:
    """Can bindings of `a` and `b` be active at the same time?"""
    if a.name == b.name or "app" in (a.kind, b.kind):
        return True
    return {a.kind, b.kind} == {"screen", "widget"}


def problems(keymap: Mapping[str, str], scopes: Iterable[Scope]) -> list[str]:
    """Lines for people: unknown ids, then keys the keymap gives two ids that meet."""
    scopes = list(scopes)
    known = {binding_id for scope in scopes for binding_id in scope.keys}
    lines = []
    unknown = sorted(set(keymap) - known)
    if unknown:
        lines.append(f"Unknown ids (ignored): {', '.join(unknown)}. ? lists the ids.")
    defaults = {binding_id: keys for scope in scopes for binding_id, keys in scope.keys.items()}
    # An id mapped to its own default keys changes nothing (the help screen's
    # `?` closing it while the app's `?` opens it is on purpose).
    moved = {i for i in keymap.keys() & known if set(_keys(keymap[i])) != set(defaults[i])}
    # Each scope with the keymap applied: key -> the ids on it.
    applied = []
    for scope in scopes:
        on_key: dict[str, set[str]] = {}
        for binding_id, keys in scope.keys.items():
            for key in _keys(keymap[binding_id]) if binding_id in keymap else keys:
                on_key.setdefault(key, set()).add(binding_id)
        applied.append((scope, on_key))
    clashes: dict[str, set[str]] = {}
    for i, (a, a_keys) in enumerate(applied):
        for b, b_keys in applied[i:]:
            if not _meet(a, b):
                continue
            for key in a_keys.keys() & b_keys.keys():
                ids = a_keys[key] | b_keys[key]
                if len(ids) > 1 and ids & moved:
                    clashes.setdefault(key, set()).update(ids)
    for key in sorted(clashes):
        lines.append(f"{key} is bound to {' and '.join(sorted(clashes[key]))}: one of them wins.")
    return lines

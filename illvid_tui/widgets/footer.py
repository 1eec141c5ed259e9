"""The footer: one line of keys that always fits its width; `?` lists the rest.

Textual's Footer lays its keys out in a row and cuts what does not fit (at
80 columns the Files screen lost `? Help`, the one way to the others), and
it rebuilds a widget per key on every "bindings changed" signal, several
within a few milliseconds at start-up. This one is a single line of text:
it chooses what fits, in this order of need: `? Help`, the screen's own keys
in the order the screen lists them (its most used first), Quit, the palette
key, then the section keys (the header's tabs show those anyway). It
repaints only when what it shows changes; a click on a key presses it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.screen import Screen
from textual.widget import Widget

_HELP = "help"
_QUIT = "quit"


class Item(NamedTuple):
    """One footer entry: a key (or a group's keys) and what it does."""

    keys: tuple[str, ...]  # the bound keys, pressed on a click (the first)
    shown: str  # "a", or "1 2 3 4" for a group
    description: str
    enabled: bool
    from_app: bool
    action: str


def _items(screen: Screen[Any]) -> tuple[list[Item], Item | None]:
    """The footer's entries in screen order, and the palette key's (or None)."""
    app = screen.app
    palette_key = app.COMMAND_PALETTE_BINDING
    by_action: dict[str, Item] = {}
    groups: dict[int, list[Item]] = {}
    group_descriptions: dict[int, str] = {}
    order: list[tuple[str, int | None]] = []
    palette: Item | None = None
    for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
        display = app.get_key_display(binding)
        if key == palette_key and app.ENABLE_COMMAND_PALETTE:
            palette = Item((key,), display, binding.description, enabled, True, binding.action)
            continue
        if not binding.show or binding.action in by_action:
            continue
        item = Item((key,), display, binding.description, enabled, node is app, binding.action)
        by_action[binding.action] = item
        group = binding.group
        if group is None:
            order.append((binding.action, None))
            continue
        if id(group) not in groups:
            groups[id(group)] = []
            group_descriptions[id(group)] = group.description
            order.append(("", id(group)))
        groups[id(group)].append(item)
    items: list[Item] = []
    for action, group_id in order:
        if group_id is None:
            items.append(by_action[action])
            continue
        members = groups[group_id]
        if len(members) == 1:
            items.append(members[0])
            continue
        items.append(
            Item(
                tuple(k for m in members for k in m.keys),
                " ".join(m.shown for m in members),
                group_descriptions[group_id],
                any(m.enabled for m in members),
                all(m.from_app for m in members),
                "",
            )
        )
    return items, palette


def _width(item: Item) -> int:
    """Cells of " key description " (one space each side, as Textual's footer)."""
    text = f" {item.shown} {item.description} " if item.description else f" {item.shown} "
    return Text(text).cell_len


def _need(item: Item) -> int:
    """Lower goes first when room is short."""
    if item.action == _HELP:
        return 0  # the way to every other key
    if not item.from_app:
        return 1  # the screen's own, in its order
    if item.action == _QUIT:
        return 2
    return 4  # the section keys: the header's tabs show them


def fit(items: list[Item], palette: Item | None, width: int) -> tuple[list[Item], bool]:
    """The entries that fit in `width` cells (in screen order), and whether the palette does.

    The palette key (drawn at the right, after a bar) comes after Quit.
    """
    candidates = [(_need(item), i, _width(item)) for i, item in enumerate(items)]
    if palette is not None:
        candidates.append((3, len(items), _width(palette)))  # "▏^p palette "
    room = width
    chosen: set[int] = set()
    for _need_rank, index, cost in sorted(candidates):
        if cost <= room:
            chosen.add(index)
            room -= cost
    return [item for i, item in enumerate(items) if i in chosen], len(items) in chosen


class AppFooter(Widget):
    """A one-line footer of keys that fits its width (replaces Textual's `Footer`)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"app-footer--key", "app-footer--description", "app-footer--palette"}
    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    AppFooter > .app-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    AppFooter > .app-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    AppFooter > .app-footer--palette { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._items: list[Item] = []
        self._palette: Item | None = None
        self._pending = False
        #: Where each key was drawn (start, end, key), for clicks.
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        # Several signals come within milliseconds (focus, screen stack, idle):
        # look once, after the next refresh.
        if not self._pending and screen is self.screen and self.is_attached:
            self._pending = True
            self.call_after_refresh(self._look)

    def _look(self) -> None:
        self._pending = False
        if not self.is_attached:
            return  # its screen went away meanwhile (a dismissed dialog)
        items, palette = _items(self.screen)
        if (items, palette) != (self._items, self._palette):
            self._items, self._palette = items, palette
            self.refresh()

    @property
    def shown(self) -> list[Item]:
        """The entries the footer draws at its current width (tests read it)."""
        return fit(self._items, self._palette, self.size.width)[0]

    def render(self) -> RenderResult:
        key_style = self.get_component_rich_style("app-footer--key")
        text_style = self.get_component_rich_style("app-footer--description")
        width = self.size.width
        items, show_palette = fit(self._items, self._palette, width)
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        dim = Style(dim=True)
        for item in items:
            start = line.cell_len
            line.append(f" {item.shown} ", key_style if item.enabled else key_style + dim)
            if item.description:
                line.append(
                    f"{item.description} ", text_style if item.enabled else text_style + dim
                )
            self._spans.append((start, line.cell_len, item.keys[0]))
        if show_palette and self._palette is not None:
            palette = self._palette
            label = Text.assemble(
                ("▏", self.get_component_rich_style("app-footer--palette")),
                (f"{palette.shown} ", key_style),
                (f"{palette.description} ", text_style),
            )
            gap = width - line.cell_len - label.cell_len
            line.append(" " * max(gap, 0))
            self._spans.append((line.cell_len, line.cell_len + label.cell_len, palette.keys[0]))
            line.append_text(label)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return

"""The fast table: `FastTable` (fast_table.py) on its cursor and marks (cursor.py), its
messages (messages.py), view computing (view.py) and cell rendering (render.py).

The helpers never import `FastTable`: they depend on small protocols or on plain
widgets, so the package has no import cycle (`lint-imports` checks).
"""

from illvid_tui.widgets.table.fast_table import FastTable
from illvid_tui.widgets.table.render import Column, Predicate, Row

__all__ = ["Column", "FastTable", "Predicate", "Row"]

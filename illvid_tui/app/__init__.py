"""The Textual front-end: the App, its session (credentials, connecting) and its wiring.

The top layer: it may import screens, widgets, core and api; nothing below imports it
(`lint-imports` checks). `create_app()` builds the app for the CLI, `--demo` and the tests.
"""

from illvid_tui.app.app import SECTIONS, IllvidApp, create_app
from illvid_tui.app.failures import CrashReport

__all__ = ["SECTIONS", "CrashReport", "IllvidApp", "create_app"]

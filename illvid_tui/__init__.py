"""illvid-tui: a keyboard-driven terminal app for an illvid account."""

__version__ = "0.1.0"

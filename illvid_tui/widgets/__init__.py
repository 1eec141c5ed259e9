"""Widgets that two or more screens share."""

"""Dock and tab panels of the main window."""

"""Checks for an exercise (being written)."""

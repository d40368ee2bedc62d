"""Replenishment (placeholder docstring, completed below)."""

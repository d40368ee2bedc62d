"""Console pages: login, home, language switch, and every domain's pages (being written)."""

from __future__ import annotations

from fastapi import FastAPI


def install_console(app: FastAPI) -> None:
    return None

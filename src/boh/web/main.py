"""ASGI entry point for uvicorn: ``boh.web.main:app``."""

from boh.web.app import create_app

app = create_app()

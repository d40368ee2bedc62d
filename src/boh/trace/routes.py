"""JSON API of the trace domain under /api/v1/trace."""

from __future__ import annotations

from boh.http.routing import SecureRouter

router = SecureRouter(prefix="/api/v1/trace", tags=["trace"])

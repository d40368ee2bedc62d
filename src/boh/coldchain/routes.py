"""JSON API of the cold chain under /api/v1/coldchain."""

from __future__ import annotations

from boh.http.routing import SecureRouter

router = SecureRouter(prefix="/api/v1/coldchain", tags=["coldchain"])

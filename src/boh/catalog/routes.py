"""JSON API of the catalog domain (being written)."""

from boh.http.routing import SecureRouter

router = SecureRouter(prefix="/api/v1")

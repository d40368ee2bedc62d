"""Tables owned by the catalog domain (being written)."""

"""The ``boh`` command."""

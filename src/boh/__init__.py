"""BOH: back office for chains of stores, restaurants and central kitchens."""

__version__ = "0.1.0"

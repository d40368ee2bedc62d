"""Stocktakes (inventory sub-area): full and cycle (ABC) counts, blind counting, scan / manual / RFID
entries by several counters, expected quantities frozen at the start, variance review with value,
recounts and zero-confirmation, threshold approval, and posting of the variances as count_variance moves
through the ledger (boh.inventory.ledger).

Owns: inventory_count, inventory_count_line, inventory_count_entry, inventory_count_settings. Publishes
``boh.inventory.counts.events.CountPosted``. Reads items, codes and units through ``boh.catalog.api`` and
sites through ``boh.org.api``. Rules (variance, ABC, thresholds) are documented in ``domain.py``.
"""

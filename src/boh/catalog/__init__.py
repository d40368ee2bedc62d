"""Catalog: items, categories, units, barcodes, RFID mapping, suppliers, supplier items, assortment."""

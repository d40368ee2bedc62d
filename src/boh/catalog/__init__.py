"""Catalog: items (SKU, names, category tree, base unit and other units with exact factors, GTIN barcodes,
RFID SGTIN mapping, storage, shelf life, allergens), suppliers and what they sell on which terms
(supplier items), and which site carries which item with its replenishment parameters (assortment).

Owns the catalog_* tables. Public api: ``boh.catalog.api`` (item / code / EPC lookup, exact unit
conversion, supplier terms, assortment parameters). Publishes ``boh.catalog.events``: ItemCreated,
ItemUpdated, SupplierItemChanged, AssortmentChanged. Consumes none. Reads sites through ``boh.org.api``.
"""

"""Inventory: the stock ledger (immutable moves), lots, balances per site × item × lot and the moving
average cost per site × item.

Owns: inventory_move (append-only), inventory_lot, inventory_balance and inventory_item_cost (projections
of the moves, updated in the same transaction). Public api: ``boh.inventory.api`` (stock_levels,
suggest_fefo). Publishes ``boh.inventory.events``: StockMoved (one per posted batch), NegativeStock,
LotCreated, LotStatusChanged, StockBelowReorderPoint (handlers.py, reacting to its own StockMoved, with
its memory in inventory_reorder_state). Live balances stream over SSE from ``boh.inventory.live``.
Reads sites through ``boh.org.api`` (timezone, currency, negative-stock policy).
"""

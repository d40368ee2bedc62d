"""The stock ledger: the one writer of the inventory's moves, balances, costs, lots and commitments.

Every stock change of every domain enters here as posting lines (``contract.Line``: site, item, lot,
signed quantity, move type, cost rule, document, event time, idempotency key) and leaves as posted moves,
through ``post.post``. Reserved and on-order quantities change through ``commitments``. Nothing else
writes ``inventory_move``, ``inventory_balance``, ``inventory_item_cost`` or the commitment tables.

- ``valuation``: moving average cost and stock value (pure): value = sum of the moves' values;
- ``rules``: the pure rules of a posting (move signs and reasons, negative stock, lot usability, FEFO);
- ``post``: the posting algorithm, all or nothing (documents) or event by event (floor events);
- ``store``: the statements, behind one interface: the portable store (SQLAlchemy, any database) and
  the set-based PostgreSQL store (COPY, ``unnest`` arrays); the property tests hold both to identical
  moves, balances, costs and values;
- ``fallback``: the provisional cost of an item that moves before its first costed inflow at a site;
- ``commitments``: reservations and expected receipts (reserved / on order).

Lock order, the same for every writer so that concurrent writers queue instead of deadlocking:
0. a commitment row (commitment commands), then new ``inventory_lot`` rows in (item, code) order;
1. ``inventory_item_cost`` rows in (site, item) order, created if missing, then ``SELECT .. FOR UPDATE``:
   holding the (site, item) cost row serialises every writer of that item at that site (and its lots);
2. ``inventory_balance`` rows in (site, item, lot) order, changed by one atomic upsert
   (``on_hand = on_hand + excluded.on_hand``: never read-then-write);
3. the tenant's audit chain head (kernel.audit), last.
SQLite opens every transaction with BEGIN IMMEDIATE, so writers are serialised there anyway.
"""

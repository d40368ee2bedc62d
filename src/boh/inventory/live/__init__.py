"""Live stock balances: ``GET /api/v1/inventory/stream?site_id=N`` (Server-Sent Events).

Design: the stream polls the database, so it is correct with any number of server processes and
workers (a move posted by another process, the worker or the CLI shows up like one posted here) and
needs no broker. Every ``POLL_SECONDS`` it reads the (item, lot) pairs of the site's moves with an id above
a floor (``inventory_move`` primary-key range scan plus the tenant/site filter: a handful of rows), loads
those balances and sends a ``balance`` event for each one whose on_hand or available differs from what
this stream last sent. A second cursor does the same over the site's commitment entries, so a reservation
(which changes ``reserved`` and ``available``, not on_hand) shows up too.
Ids are allocated before commit, so a transaction may commit a lower id after a higher one was seen; the
floor therefore trails the highest id seen by ``LOOKBACK_SECONDS`` and the
de-duplication by value keeps the rescans silent. A ``: heartbeat`` comment goes out every
``HEARTBEAT_SECONDS`` (proxies close idle connections). Each event carries ``id: <move id>.<entry id>``, the
highest of each seen, so a reconnecting EventSource resumes from ``Last-Event-ID`` (or ``?after=&after_entry=``,
which the live page sets from the ids read before its rows) without losing changes.

The stream ends when the client disconnects. Reorder alerts go through the outbox instead (handlers.py).
"""

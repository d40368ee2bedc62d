"""Background work: the outbox relay, scheduled jobs and the optional message broker.

Owns the tables ``worker_schedule`` (one row per scheduled job: next slot, lease, last result) and
``worker_job_run`` (history of every run). Publishes no events; consumes every event through the
outbox relay, which hands each (event, handler) pair to ``boh.kernel.outbox.deliver``.

- ``jobs``: the explicit ``JobRegistry`` and schedules (every N seconds, daily at HH:MM in a timezone).
- ``scheduler``: schedule rows, atomic claiming of due slots, run history.
- ``builtin``: the built-in jobs (outbox.relay, outbox.cleanup, audit.verify) and ``build_registry``.
- ``embedded``: the in-process worker that ``boh serve`` runs when no broker is configured.
- ``broker``: Dramatiq transport (Redis or RabbitMQ) used when ``BOH_BROKER_URL`` is set.
- ``cli``: ``boh worker`` and ``boh jobs list|run``.
"""

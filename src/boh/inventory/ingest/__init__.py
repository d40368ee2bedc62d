"""Floor-event ingestion: POS sales and returns, RFID reads and weight-shelf readings, in batches, with
an exactly-once effect per (tenant, source, event_id).

Owns: inventory_ingested_event, inventory_rfid_tag, inventory_rfid_session(_read), inventory_weight_shelf,
inventory_shelf_observation, inventory_alert. Writes the ledger's moves and balances through the ledger's
repository functions and semantics (stock.py). Entry point: ``service.ingest(uow, events, default_site=,
transport=)`` (HTTP route, MQTT subscriber, simulator). Publishes StockMoved, NegativeStock (the ledger's
events) and ShrinkSuspected, CycleCountReported (events.py).
"""

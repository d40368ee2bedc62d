"""Floor simulator: realistic POS, RFID and weight-shelf events for a running BOH (``boh simulate floor``)
and the load of ``bench/ingest.py``.

A top-layer package like ``boh.demo``: it reads the catalog (through the API or the database), generates
events in the ingestion contract's format (``generator.generate_events``) and sends them over HTTP or MQTT
with retries that keep the event ids, so a retried batch has an exactly-once effect.
"""

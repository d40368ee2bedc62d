"""Traceability and recall: lot genealogy across the chain from the ledger's moves, recalls (and mock
recalls) that block, notify and close with a report, FSMA 204 records and GS1 EPCIS 2.0 export/import."""

"""Store inspections: checklist templates, automatic inspection plans, verified visits, corrective actions
followed to closure, and their analytics.

Owns the ``inspections_*`` tables: templates (editable draft + immutable published versions), rules,
inspector profiles and absences, plans and visits (check-in within the store's geofence, answers saved as
entered, photos in the BlobStore, a locked score computed on the server), corrective actions, food-safety
alerts, site signals from other domains and per-tenant settings.

Public api (``api.py``): site risk scores and score summaries for domains above.
Publishes (``events.py``): InspectionSubmitted, FoodSafetyAlertRaised, ActionEscalated, ActionClosed.
Consumes (``handlers.py``, by topic, since inventory is on the same layer row and cannot be imported):
inventory.negative_stock, inventory.count_posted, inventory.shrink_suspected,
inventory.rfid_cycle_count_reported and inventory.stock_below_reorder_point, kept as site signals.
Reads org (sites with coordinates, regions, users and roles) through ``boh.org.api``.
"""

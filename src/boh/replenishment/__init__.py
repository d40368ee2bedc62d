"""Replenishment: turns forecasts into explained order suggestions for every site x item of the assortment,
with review, approvals and automatic ordering under rules.

Where order parameters live (decided, issue 14: "one place"):
- per site x item parameters (min, max = shelf capacity, reorder point, safety stock floor, preferred supplier,
  order multiple) stay in the catalog's assortment (``boh.catalog.api.site_assortment``): already there,
  imported with the assortment, and used by inventory's reorder alerts;
- supplier terms (purchase unit and factor, price, currency, MOQ, order multiple, nominal lead time, order
  days, price breaks) stay in the catalog's supplier items (``boh.catalog.api.terms_for_items``);
- this domain owns POLICIES (per site / category / ABC-XYZ class: method order_up_to | min_max | fixed_qty,
  target service level, review period, shelf-life cap, tolerance band), SOURCING rules (a store from a DC or a
  supplier, a DC from suppliers; item > category > all, site > region > all), BUDGETS per site/category,
  approval thresholds and automatic-ordering rules with the tenant's kill switch.
Nothing here duplicates a catalog parameter: a run reads them, never copies them into its own tables (a line
keeps the figures it was computed from, in its explanation).

Owns: ``replenishment_*`` tables (policy, sourcing, budget, settings, auto_rule, run, line, explanation,
change, approval, auto_decision).
Uses: ``catalog.api`` (assortment, items, supplier terms), ``inventory.api`` (stock levels, lots on hand,
daily sales, unit costs), ``forecasting.api`` (forecast quantiles, promotions), ``org.api`` (sites),
``notify.api`` (approvals, escalations), ``purchasing.api`` (release: ``place_orders``; observed lead times
for the safety stock in ``service.run.lead_times``; draft orders counted as on order).
The ``simulation`` sub-package replays a real demand history day by day under a policy and the baseline
"experience" rule and compares them (``boh replenish simulate``, ``bench/replenish.py``, the simulation page).
Publishes: ``events.SuggestionRunCompleted`` (a run finished; store managers are told in-app how many lines
wait for their review), ``events.SuggestionsAwaitingApproval`` (a line waits for an approval step; its
approvers are told in-app); audit records for every run, change, decision and automatic decision.
Consumes: none.
"""

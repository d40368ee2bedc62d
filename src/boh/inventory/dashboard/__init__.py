"""The inventory part of the "today" page and the chain views (a read model, no tables of its own).

queries.py computes every key figure and to-do count for all the sites in a scope in a fixed number of
set-based queries (one per figure, grouped by site: never one per site); today.py turns them into
boh.http.today parts (a store's day, a comparison of sites); pages.py serves the comparison of sites and
the chain-wide view of one item.
"""

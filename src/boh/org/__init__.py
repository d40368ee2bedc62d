"""Organisation: tenants (companies), regions, sites, users, role assignments, API keys and
authentication.

Public api: ``boh.org.api`` (site lookups, scope resolution). Events: ``boh.org.events``
(TenantCreated, SiteCreated, SiteUpdated, UserCreated). Consumes none.
"""

"""Console pages of the trace domain under /trace."""

from __future__ import annotations

from boh.http.pages import N_, NavLink, page_router

router = page_router("/trace")
NAV = [NavLink(N_("Trace and recall"), "/trace/", "trace.read")]

"""The trace domain's notification texts (English msgids, extracted for translation)."""

from __future__ import annotations

from boh.http.pages import N_

RECALL = N_("Recall %(number)s: remove %(n)s lot(s) from sale at %(site)s and confirm")
MOCK_RECALL = N_("Mock recall %(number)s (a drill): find %(n)s lot(s) at %(site)s and confirm")

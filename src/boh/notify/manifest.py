"""The notify domain's manifest (see boh.kernel.manifest)."""

from __future__ import annotations

from boh.kernel.manifest import Manifest

MANIFEST = Manifest(
    name="notify",
    summary="Notifications: in-app list and unread count, e-mail through SMTP for subscribers.",
    rank=15,  # above org (recipients by role and site), below every domain that tells people something
    models=("boh.notify.models",),
    page_routers=("boh.notify.pages:router",),
    events="boh.notify.handlers:subscribe",
)

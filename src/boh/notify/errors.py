from __future__ import annotations

from boh.kernel.errors import NotFound


class NotificationNotFound(NotFound):
    code = "notify.notification_not_found"

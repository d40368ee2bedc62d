"""Notifications: tell people what needs them, in the console and by e-mail.

Owns ``notify_notification`` (one row per recipient: kind, message key + params, link, read or not, e-mail
state) and ``notify_subscription`` (who wants e-mail for which kind: a user, or everyone holding a role).

Public api (``boh.notify.api``): ``notify(uow, kind=..., message=..., params=..., link=..., roles=...,
users=..., site_id=...)`` called by any domain above, in its own unit of work; ``subscribe``;
``unread_count``. Messages are stored as their English msgid and translated when shown, to each reader's
language (the console's, or the recipient's for e-mail).

Publishes ``NotificationsCreated`` (events.py); its handler (handlers.py, subscribed in bootstrap) sends the
e-mails through the SMTP server of ``BOH_SMTP__*`` after the commit, through the outbox (at least once).
"""

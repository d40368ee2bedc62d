"""Notification text in a reader's language: the stored msgid translated, its params filled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boh.http import i18n


def _param(value: Any, locale: str) -> Any:
    if isinstance(value, Mapping) and ("en" in value or "zh" in value):
        zh, en = value.get("zh"), value.get("en")
        return (zh or en) if locale == "zh_CN" else (en or zh)
    return value


def text(message: str, params: Mapping[str, Any], locale: str | None = None) -> str:
    """``message`` translated to ``locale`` (default: the current request's) with ``params`` filled in."""
    loc = locale or i18n.current_locale.get()
    translated = i18n.translations(loc).gettext(message)
    values = {k: _param(v, loc) for k, v in params.items()}
    try:
        return translated % values if values else translated
    except (KeyError, ValueError, TypeError):
        return translated

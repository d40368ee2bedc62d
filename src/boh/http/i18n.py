"""Translations (Babel): message catalogs are the .po files under boh/i18n, loaded at start-up, so no
compile step is needed. The active locale is per request (cookie, then user, then Accept-Language)."""

from __future__ import annotations

import contextvars
import gettext
import io
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LOCALES = ("en", "zh_CN")
LOCALE_LABELS = {"en": "English", "zh_CN": "中文"}
LANG_COOKIE = "boh_lang"

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default="en")


def catalog_files(locale: str) -> list[Path]:
    """The shared catalog, then each domain's own (``boh/<domain>/i18n/<locale>/LC_MESSAGES/messages.po``):
    a domain keeps its strings in its own folder, so domains built side by side never edit one file."""
    shared = I18N_DIR / locale / "LC_MESSAGES" / "messages.po"
    own = sorted(I18N_DIR.parent.glob(f"*/i18n/{locale}/LC_MESSAGES/messages.po"))
    return [p for p in (shared, *own) if p.exists()]


@lru_cache
def translations(locale: str) -> gettext.NullTranslations:
    files = catalog_files(locale)
    if not files:
        return gettext.NullTranslations()
    with files[0].open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    for po in files[1:]:
        with po.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for message in part:
            if message.id and message.string:
                catalog[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def normalize(value: str | None) -> str | None:
    if not value:
        return None
    v = value.replace("-", "_").strip()
    if v.lower().startswith("zh"):
        return "zh_CN"
    if v.lower().startswith("en"):
        return "en"
    return None


def negotiate(cookie: str | None, user_locale: str | None, accept_language: str | None, default: str) -> str:
    for cand in (cookie, user_locale):
        loc = normalize(cand)
        if loc:
            return loc
    for part in (accept_language or "").split(","):
        loc = normalize(part.split(";")[0])
        if loc:
            return loc
    return normalize(default) or "en"


def gettext_(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def fmt_decimal(value: Decimal | int | None, fmt: str | None = None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format=fmt, locale=Locale.parse(current_locale.get()))


def fmt_money(value: Decimal | None, currency: str | None) -> str:
    """An amount in its currency for the user's locale (Babel: "¥43.33", "CN¥43.33", "$1,234.50")."""
    if value is None:
        return ""
    if not currency:
        return fmt_decimal(value)
    return format_currency(value, currency, locale=Locale.parse(current_locale.get()))


def fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, format=fmt, locale=Locale.parse(current_locale.get()))


def localized_name(name_en: str | None, name_zh: str | None) -> str:
    """Pick the item/site name in the user's language, falling back to the other one."""
    if current_locale.get() == "zh_CN":
        return name_zh or name_en or ""
    return name_en or name_zh or ""

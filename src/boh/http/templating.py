"""Jinja2 environment for the console: i18n callables, formatting filters, the base layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from boh.http import i18n
from boh.http.pages import unit_label

SRC = Path(__file__).resolve().parent.parent
HTTP_TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _loader() -> ChoiceLoader:
    # every domain keeps its pages' templates in <domain>/templates/<domain>/*.html
    dirs = [HTTP_TEMPLATES] + sorted(str(p) for p in SRC.glob("*/templates") if p.parent.name != "http")
    return ChoiceLoader([FileSystemLoader(str(d)) for d in dirs])


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HTTP_TEMPLATES))
    env = templates.env
    env.loader = _loader()
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = i18n.fmt_decimal
    env.filters["money"] = i18n.fmt_money
    env.filters["dt"] = i18n.fmt_datetime
    env.filters["unit"] = unit_label
    env.globals["localized"] = i18n.localized_name
    env.globals["LOCALES"] = i18n.LOCALE_LABELS
    env.autoescape = True
    return templates


templates = make_templates()


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    ctx = {"locale": i18n.current_locale.get(), **context}
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)

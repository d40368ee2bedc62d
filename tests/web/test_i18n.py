"""Every console string is translated: the messages babel.cfg extracts (templates and page modules) all
have a non-empty, non-fuzzy zh_CN translation with the same placeholders."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from babel.messages.pofile import read_po

from boh.http import i18n

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _script() -> ModuleType:
    """scripts/i18n.py: the extraction and catalog layout the developers use."""
    spec = importlib.util.spec_from_file_location("boh_i18n_script", REPO / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


I18N = _script()


def _extracted() -> dict[str, str]:
    """msgid -> file of every message babel.cfg extracts, over every catalog."""
    out: dict[str, str] = {}
    for messages in I18N.extract().values():
        for message, filename in messages.items():
            out.setdefault(message[0] if isinstance(message, tuple) else message, filename)
    return out


def _catalog() -> dict[str, tuple[str, bool]]:
    """msgid -> (zh_CN text, fuzzy) over the shared catalog and every domain's own."""
    out = {}
    for po in i18n.catalog_files("zh_CN"):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN")
        for msg in catalog:
            if not msg.id:
                continue
            msgid = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            text = msg.string[0] if isinstance(msg.string, tuple) else msg.string
            out[msgid] = (text or "", msg.fuzzy)
    return out


def test_extraction_finds_the_templates_and_page_modules() -> None:
    found = _extracted()
    files = set(found.values())
    assert any(f.endswith("base.html") for f in files)
    assert any(f.endswith("org/pages.py") for f in files)
    assert {"Sign in", "Sites", "You do not have permission to do this", "Duplicate value"} <= set(found)


def test_every_extracted_message_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = {msgid: f for msgid, f in _extracted().items() if not catalog.get(msgid, ("", False))[0]}
    assert missing == {}, "run .venv/bin/python scripts/i18n.py and translate these"
    assert I18N.missing() == {}
    fuzzy = sorted(msgid for msgid, (_text, is_fuzzy) in catalog.items() if is_fuzzy)
    assert fuzzy == []


def test_translations_keep_their_placeholders() -> None:
    wrong = {
        msgid: text
        for msgid, (text, _fuzzy) in _catalog().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    }
    assert wrong == {}


def test_the_catalog_is_loaded_without_a_compile_step() -> None:
    i18n.translations.cache_clear()
    token = i18n.current_locale.set("zh_CN")
    try:
        assert i18n.gettext_("Sign in") == "登录"
        assert i18n.ngettext_("%(num)s site", "%(num)s sites", 3) % {"num": 3} == "3 个站点"
    finally:
        i18n.current_locale.reset(token)
    assert i18n.gettext_("Sign in") == "Sign in"

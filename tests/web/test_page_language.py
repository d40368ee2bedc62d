"""Every console page speaks one language: rendered in zh-CN (with the data of every kind a page can show),
no English phrase of the UI's own messages appears in its visible text; rendered in English, no Chinese
character does (the language switch's own "中文" aside). Walks every GET page of the app's route table."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from boh.bootstrap import Runtime
from tests.security.test_page_walk import _flatten
from tests.security.world import CREATORS, World, build
from tests.web.test_i18n import _catalog

CJK = re.compile(r"[\u3400-\u9fff]+")
SKIP = re.compile(r"/(pdf|sheet|photo|export|badge|feed|search)$|/export|/stream")
VISIBLE_ATTRS = ("placeholder", "aria-label", "title")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in VISIBLE_ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", " ".join(p.parts))


def english_phrases() -> list[str]:
    """The UI's own English messages of two words or more (no placeholders): never on a Chinese page."""
    out = []
    for msgid, (translation, _fuzzy) in _catalog().items():
        words = re.findall(r"[A-Za-z]+", msgid)
        if "%(" in msgid or len(words) < 2 or not translation or translation == msgid:
            continue
        out.append(msgid)
    return sorted(out, key=len, reverse=True)


def _pages(app: FastAPI) -> list[str]:
    out = []
    for path, route in _flatten(app.routes):
        page = isinstance(route, APIRoute) and not route.include_in_schema and "GET" in (route.methods or ())
        if page and not SKIP.search(path):
            out.append(path)
    return sorted(set(out))


@pytest.fixture
def world(runtime: Runtime, client: TestClient) -> World:
    return build(runtime, client)


def _render_all(world: World, app: FastAPI, lang: str) -> dict[str, str]:
    texts = {}
    for path in _pages(app):
        names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
        if any(n not in CREATORS for n in names):
            continue
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(world.get(m.group(1))), path)
        world.client.cookies.clear()
        world.client.cookies.set("boh_lang", lang)
        r = world.client.get(url, headers=world.admin_a, follow_redirects=True)
        if r.status_code == 200 and r.headers.get("content-type", "").startswith("text/html"):
            texts[url] = visible(r.text)
    return texts


# single words of the UI's own vocabulary (units, statuses, kinds) that must be translated too
ENUM_WORDS = re.compile(
    r"\b(each|portion|Open|Closed|Draft|Posted|Cancelled|Counting|shrink|Total|Receipt|Sale|Waste)\b"
)


def test_chinese_pages_show_no_english_ui_phrase(world: World, app: FastAPI) -> None:
    phrases = english_phrases()
    texts = _render_all(world, app, "zh_CN")
    assert len(texts) >= 30, sorted(texts)
    found = {url: [p for p in phrases if p in text] + ENUM_WORDS.findall(text) for url, text in texts.items()}
    assert {url: hits for url, hits in found.items() if hits} == {}


def test_english_pages_show_no_chinese(world: World, app: FastAPI) -> None:
    texts = _render_all(world, app, "en")
    found: dict[str, Any] = {}
    for url, text in texts.items():
        hits = [h for h in CJK.findall(text.replace("中文", "")) if h]
        if hits:
            found[url] = hits[:5]
    assert found == {}


def test_the_check_would_see_an_english_phrase_and_a_chinese_word() -> None:
    html = '<main><p>库存</p><button aria-label="Stock value">x</button><script>"Stock value"</script></main>'
    assert "Stock value" in english_phrases() and "Stock value" in visible(html)
    assert CJK.findall(visible(html)) == ["库存"] and "x" in visible(html)

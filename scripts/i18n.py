"""Extract the console's messages and update the zh_CN catalogs (no compile step: boh.http.i18n reads .po).

    .venv/bin/python scripts/i18n.py            # extract + update every catalog
    .venv/bin/python scripts/i18n.py --check    # exit 1 if a message lacks a zh_CN translation

A domain with its own folder ``src/boh/<domain>/i18n/`` keeps its messages there (create the folder to opt
in: domains built side by side then never edit one shared file); every other message goes to the shared
catalog ``src/boh/i18n``. What is extracted follows babel.cfg (page modules, templates).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "boh"
LOCALES = ("zh_CN",)


def own_catalog_dirs() -> list[Path]:
    """The domains that keep their own catalog."""
    return sorted(p.parent for p in SRC.glob("*/i18n") if p.parent.name != "boh" and p.is_dir())


Message = str | tuple[str, ...]


def extract() -> dict[Path, dict[Message, str]]:
    """catalog folder -> {message: file} of every message babel.cfg extracts, split by owning catalog (a
    plural message is a tuple of its forms)."""
    with (REPO / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    owners = own_catalog_dirs()
    out: dict[Path, dict[Message, str]] = {SRC / "i18n": {}, **{d / "i18n": {} for d in owners}}
    for filename, _lineno, message, _comments, _context in extract_from_dir(str(REPO), method_map, options_map):
        if not (message[0] if isinstance(message, tuple) else message):
            continue
        path = (REPO / filename).resolve()
        owner = next((d for d in owners if d in path.parents), None)
        out[(owner / "i18n") if owner else SRC / "i18n"].setdefault(message, filename)
    return out


def po_path(folder: Path, locale: str) -> Path:
    return folder / locale / "LC_MESSAGES" / "messages.po"


def load(folder: Path, locale: str) -> Catalog:
    path = po_path(folder, locale)
    if not path.exists():
        return Catalog(locale=locale)
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update() -> None:
    """As ``pybabel extract`` + ``pybabel update --no-fuzzy-matching`` for every catalog (template written
    to messages.pot beside it)."""
    for folder, messages in extract().items():
        template = Catalog(project="BOH", fuzzy=False)
        for message in messages:
            template.add(message)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.pot").open("wb") as fh:
            write_po(fh, template, width=120, omit_header=False, sort_output=True, no_location=True)
        for locale in LOCALES:
            catalog = load(folder, locale)
            catalog.update(template, no_fuzzy_matching=True)
            path = po_path(folder, locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=120, sort_output=True, no_location=True, ignore_obsolete=True)


def _text(message: Message | object) -> str:
    return message[0] if isinstance(message, tuple | list) else str(message or "")


def missing() -> dict[str, str]:
    """msgid -> file of the extracted messages without a non-fuzzy zh_CN translation in their catalog."""
    out: dict[str, str] = {}
    for folder, messages in extract().items():
        cat = load(folder, "zh_CN")
        for message, filename in messages.items():
            msgid = message[0] if isinstance(message, tuple) else message
            msg = cat.get(msgid)
            if msg is None or not _text(msg.string) or msg.fuzzy:
                out[msgid] = filename
    return out


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        gaps = missing()
        for msgid, filename in sorted(gaps.items()):
            print(f"{filename}: {msgid!r}")
        sys.exit(1 if gaps else 0)
    update()

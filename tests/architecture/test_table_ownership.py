"""Each table has one owning domain: no other domain declares it by name (it reads the owner's read-only
views from its api), so the import contracts see every dependency and a rename breaks loudly."""

from __future__ import annotations

import re
from pathlib import Path

from boh.domains import DOMAINS

SRC = Path(__file__).resolve().parents[2] / "src" / "boh"
DECLARED = re.compile(r"""\btable\(\s*["']([a-z]+)_\w+["']""")


def test_no_domain_declares_another_domains_table_by_name() -> None:
    names = {m.name for m in DOMAINS}
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "migrations":
            continue
        for owner in DECLARED.findall(path.read_text()):
            if owner in names and rel.parts[0] != owner:
                offenders.append(f"{rel}: declares a table of {owner}")
    assert offenders == [], "read the owner's views from boh.<owner>.api instead"

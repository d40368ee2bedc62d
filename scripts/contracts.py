"""Write .importlinter from the domain manifests (boh.domains): the layers contract (domains by rank, same
rank on one row) and one "internals are private" contract per domain.

    .venv/bin/python scripts/contracts.py          # rewrite .importlinter
    .venv/bin/python scripts/contracts.py --check  # exit 1 if it is not what the manifests say (CI test)
"""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path

from boh.domains import DOMAINS
from boh.kernel.manifest import COMPOSITION_MODULES, ENTRYPOINTS, Manifest

TARGET = Path(__file__).resolve().parents[1] / ".importlinter"

HEADER = """\
# Import contracts (GUIDE.md section 2: "calls go down, facts go up").
# GENERATED from the domain manifests by scripts/contracts.py: do not edit by hand; change a domain's
# manifest.py (its rank, sub-packages, extra composition modules) or boh/domains.py and re-run the script.
# tests/architecture checks that this file is current.
# Run: .venv/bin/lint-imports          (also part of scripts/test.sh and .ci/run)
#
# - import-linter fails on module names that are not in the graph, so the "internals are private"
#   contracts only name modules through wildcards ("boh.catalog.**") or in ignore_imports with
#   unmatched_ignore_imports_alerting = none. A domain that has no routes.py yet is therefore fine.
# - Function-level imports count: moving an import into a function does not hide it.
# - A domain's manifest.py is data that imports only boh.kernel.manifest (tests/architecture checks it);
#   boh.domains lists the manifests and boh.kernel.permissions reads them, hence the one ignored import.

[importlinter]
root_packages =
    boh

# --------------------------------------------------------------------------------------------------
# Layers: a module may import modules in its own layer or below, never above. Modules on the same row
# (separated by "|") are independent: they may not import each other either.
# --------------------------------------------------------------------------------------------------
[importlinter:contract:layers]
name = Layers: entrypoints > domains > http > kernel
type = layers
exhaustive = false
layers =
    boh.cli
    (boh.web) | (boh.demo)
    # the demo's quickstart drives the floor simulator as a library
    (boh.simulate)
    (boh.worker)
    boh.bootstrap
    boh.registry
{domain_rows}
    boh.http
    boh.kernel
ignore_imports =
    # load_models() registers every table with Base.metadata for Alembic and tests, the worker's too
    boh.bootstrap -> boh.worker.models
    # the manifests are data (see above)
    boh.domains -> boh.*.manifest
broken_contract_guidance =
    Calls go down, facts go up: a lower layer must not import a higher one, and modules on the same row
    must not import each other. To make a higher domain react, publish an event in boh.<domain>.events
    and subscribe the higher domain's handler in its handlers.py (the manifest's events hook).

# --------------------------------------------------------------------------------------------------
# Internals are private: one contract per domain.
#   - Modules outside boh.<domain> may import only boh.<domain>.api and boh.<domain>.events.
#   - The entrypoints ({entrypoints}) compose the app and may also import the composition modules
#     ({composition}), of the domain and of its sub-packages.
#   - Alembic (boh.migrations) may import models so that autogenerate sees every table.
# Only direct imports are checked: reaching internals through a domain's api is the point of the api.
# --------------------------------------------------------------------------------------------------
"""


def _rows() -> str:
    ranked = sorted(DOMAINS, key=lambda m: -m.rank)
    lines = []
    for _, group in groupby(ranked, key=lambda m: m.rank):
        names = sorted(m.name for m in group)
        optional = len(names) > 1
        lines.append("    " + " | ".join(f"(boh.{n})" if optional else f"boh.{n}" for n in names))
    return "\n".join(lines)


def _importer(entry: str) -> str:
    return entry if entry in ("boh.bootstrap", "boh.registry") else f"{entry}.**"


def _internals(m: Manifest) -> str:
    pkg = m.package
    modules = (*COMPOSITION_MODULES, *m.extra_composition)
    ignores = [f"boh.** -> {pkg}.api", f"boh.** -> {pkg}.events", f"boh.domains -> {pkg}.manifest"]
    for entry in ENTRYPOINTS:
        for mod in modules:
            ignores.append(f"{_importer(entry)} -> {pkg}.{mod}")
            if m.subpackages:
                ignores.append(f"{_importer(entry)} -> {pkg}.*.{mod}")
    ignores.append(f"boh.simulate.** -> {pkg}.models")
    ignores.append(f"boh.migrations.** -> {pkg}.models")
    if m.subpackages:
        ignores.append(f"boh.migrations.** -> {pkg}.*.models")
    body = "\n".join(f"    {i}" for i in ignores)
    return (
        f"[importlinter:contract:{m.name}-internals]\n"
        f"name = {m.name} internals are private (use {pkg}.api / {pkg}.events)\n"
        "type = protected\nas_packages = false\n"
        f"protected_modules =\n    {pkg}.**\n"
        f"allowed_importers =\n    {pkg}\n    {pkg}.**\n"
        "unmatched_ignore_imports_alerting = none\n"
        f"ignore_imports =\n{body}\n"
    )


def render() -> str:
    head = HEADER.format(
        domain_rows=_rows(), entrypoints=", ".join(ENTRYPOINTS), composition=", ".join(COMPOSITION_MODULES)
    )
    return head + "\n" + "\n".join(_internals(m) for m in sorted(DOMAINS, key=lambda m: m.name))


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if TARGET.read_text() != text:
            print(".importlinter is not what the manifests say: run .venv/bin/python scripts/contracts.py")
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

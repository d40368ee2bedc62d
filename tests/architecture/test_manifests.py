"""The domain manifests: data only, consistent with the code, and the source of .importlinter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from boh import registry
from boh.domains import DOMAINS
from boh.kernel.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS, ROLES

REPO = Path(__file__).resolve().parents[2]


def test_importlinter_is_generated_from_the_manifests() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "contracts.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_manifest_imports_nothing_but_the_manifest_types() -> None:
    for m in DOMAINS:
        path = REPO / "src" / "boh" / m.name / "manifest.py"
        tree = ast.parse(path.read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert imported <= {"__future__", "boh.kernel.manifest"}, (m.name, imported)


def test_manifests_are_listed_lowest_layer_first_with_their_own_names() -> None:
    assert [m.rank for m in DOMAINS] == sorted(m.rank for m in DOMAINS)
    assert len({m.name for m in DOMAINS}) == len(DOMAINS)
    for m in DOMAINS:
        assert all(p.startswith(f"{m.name}.") for p in m.permissions), m.name
        refs = [*m.models, *m.api_routers, *m.page_routers, m.nav, m.tiles, m.jobs, m.events]
        refs += [g.register for g in m.cli]
        assert all(r.split(":")[0].startswith(m.package) for r in refs if r), m.name


def test_every_reference_resolves() -> None:
    registry.import_models()
    assert list(registry.api_routers()) and list(registry.page_routers())
    assert registry.nav_links() and registry.tile_sources()
    jobs = registry.jobs()
    assert "inventory.reservations.expire" in {j.name for j in jobs}
    assert {g.name for g in registry.cli_groups()} >= {"inventory"}


def test_roles_are_built_from_the_grants() -> None:
    assert ROLE_PERMISSIONS["hq_admin"] == ALL_PERMISSIONS
    for m in DOMAINS:
        for role, perms in m.grants.items():
            assert role in ROLES
            assert set(perms) <= ROLE_PERMISSIONS[role]
    # a role holds a domain's permission only if that domain's manifest grants it (or it is hq_admin)
    granted = {(role, p) for m in DOMAINS for role, perms in m.grants.items() for p in perms}
    for role, perms in ROLE_PERMISSIONS.items():
        if role == "hq_admin":
            continue
        domain_perms = {p for p in perms if p.split(".")[0] in {m.name for m in DOMAINS}}
        assert {(role, p) for p in domain_perms} <= granted

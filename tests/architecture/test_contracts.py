"""The import contracts in .importlinter hold, and the checker really fails when one is broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The lint-imports next to this interpreter (the virtualenv's), else the one on PATH.
_SIBLING = Path(sys.executable).with_name("lint-imports")
LINT_IMPORTS = str(_SIBLING) if _SIBLING.exists() else (shutil.which("lint-imports") or "lint-imports")


def _lint_imports(*args: str, cwd: Path = REPO, src: Path = REPO / "src") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "200"}
    command = [LINT_IMPORTS, "--no-cache", "--no-logo", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_import_contracts_are_kept() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_lint_imports_fails_on_a_contract_the_code_breaks(tmp_path: Path) -> None:
    config = tmp_path / "broken.ini"
    config.write_text(
        textwrap.dedent(
            """
            [importlinter]
            root_packages =
                boh

            [importlinter:contract:http-without-kernel]
            name = boh.http must not import boh.kernel (it does: this contract must break)
            type = forbidden
            source_modules =
                boh.http
            forbidden_modules =
                boh.kernel
            """
        )
    )
    result = _lint_imports(str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "boh.http" in result.stdout and "boh.kernel" in result.stdout


def test_repository_contracts_catch_a_lower_layer_and_a_private_import(tmp_path: Path) -> None:
    """Plant two violations in a copy of the sources and check the real contracts report them."""
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "boh", src / "boh", ignore=shutil.ignore_patterns("__pycache__"))
    (src / "boh" / "kernel" / "arch_probe.py").write_text("import boh.org.events\n")
    catalog = src / "boh" / "catalog"
    catalog.mkdir(exist_ok=True)
    (catalog / "__init__.py").touch()
    (catalog / "arch_probe.py").write_text("import boh.org.events\nimport boh.org.models\n")
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")

    result = _lint_imports("--contract", "layers", "--contract", "org-internals", cwd=tmp_path, src=src)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "boh.kernel.arch_probe -> boh.org.events" in result.stdout  # kernel sits below org
    assert "boh.catalog.arch_probe -> boh.org.models" in result.stdout  # models are org's internals
    assert "boh.catalog.arch_probe -> boh.org.events" not in result.stdout  # events are public

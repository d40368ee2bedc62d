"""``boh --help`` answers without importing the application: the root command lists every command from
names and help texts (the domains' from their manifests) and imports a command's module only when it is
used. Checked by what a fresh interpreter has imported, not by a clock."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from boh.cli.main import app

HEAVY = ("sqlalchemy", "fastapi", "boh.bootstrap", "boh.inventory.service", "boh.demo", "uvicorn", "reportlab")


def _imported_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_the_help_of_the_root_imports_nothing_heavy() -> None:
    loaded = _imported_after(
        "from typer.testing import CliRunner\nfrom boh.cli.main import app\nr = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0 and 'inventory' in r.output and 'quickstart' in r.output, r.output"
    )
    assert [m for m in HEAVY if m in loaded] == []


def test_a_lazy_command_loads_when_used() -> None:
    result = CliRunner().invoke(app, ["inventory", "--help"])
    assert result.exit_code == 0 and "rebuild" in result.output
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code != 0

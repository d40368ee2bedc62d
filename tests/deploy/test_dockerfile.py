"""The Dockerfile, checked as text (no Docker engine needed): stages, port, user and command."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def test_assets_are_built_with_npm_in_a_node_stage() -> None:
    froms = [args for word, args in _instructions() if word == "FROM"]
    assert any(f.startswith("node:20-slim AS ") for f in froms)
    runs = " ".join(args for word, args in _instructions() if word == "RUN")
    assert "npm ci" in runs
    assert "npm run build" in runs


def test_runtime_is_python_311_slim_with_the_package_installed_by_pip() -> None:
    assert _final_stage()[0][1].split()[0] == "python:3.11-slim"
    runs = " ".join(args for word, args in _instructions() if word == "RUN")
    assert re.search(r"pip install \.(\s|$)", runs)


def test_runtime_runs_as_a_non_root_user() -> None:
    users = [args for word, args in _final_stage() if word == "USER"]
    assert users, "the final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_exposes_8000_and_serves_on_all_interfaces() -> None:
    stage = dict(_final_stage())
    assert stage["EXPOSE"].split() == ["8000"]
    argv = json.loads(stage["ENTRYPOINT"]) + json.loads(stage["CMD"])
    assert argv == ["boh", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    patterns = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".boh", ".git"} <= patterns
    assert patterns & {"node_modules", "**/node_modules"}

"""Lazy command loading for the ``boh`` root: ``boh --help`` lists every command from names and help texts
known up front, and a command's module (and with it SQLAlchemy, the domains, the app) is imported only when
that command runs or shows its own help.

Each lazy entry names a ``register(app, get_runtime)`` function (the same ones the domains' manifests list
as ``CliGroup.register``); it is called on a scratch Typer app and the command of that name is taken from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # Typer's own copy of Click's core (Command, Context)
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyEntry:
    register: str  # "module:function"
    help: str


LAZY: dict[str, LazyEntry] = {}
_RUNTIME: list[Callable[[], Any]] = []
_ROOT: list[typer.Typer] = []


def add(name: str, register: str, help: str) -> None:
    LAZY[name] = LazyEntry(register, help)


def set_runtime(factory: Callable[[], Any], root: typer.Typer) -> None:
    _RUNTIME[:] = [factory]
    _ROOT[:] = [root]


def load(name: str) -> click.Command | None:
    """The real command ``name``: its register function runs on a scratch app."""
    from boh.kernel.manifest import resolve

    scratch = typer.Typer()
    scratch.registered_commands.extend(_ROOT[0].registered_commands)  # e.g. quickstart runs the root's serve
    resolve(LAZY[name].register)(scratch, _RUNTIME[0])
    group = typer.main.get_command(scratch)
    if isinstance(group, TyperGroup):
        return group.get_command(click.Context(group), name)
    return group if group.name == name else None


class LazyCommand(TyperCommand):
    """Stands in for a command in the root's listing; becomes the real one when it is used."""

    def __init__(self, name: str, entry: LazyEntry) -> None:
        super().__init__(name=name, help=entry.help, short_help=entry.help)

    def _real(self) -> click.Command:
        assert self.name is not None
        cmd = load(self.name)
        if cmd is None:
            raise click.ClickException(f"command {self.name!r} is not available")
        return cmd

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:  # fmt: skip
        return self._real().make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and cmd_name in LAZY:
            return LazyCommand(cmd_name, LAZY[cmd_name])
        return cmd

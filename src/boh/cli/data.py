"""``boh import`` / ``boh export``: master data files (CSV or XLSX) for one tenant."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from boh.bootstrap import Runtime
from boh.kernel.errors import ValidationFailed
from boh.kernel.progress import steps
from boh.kernel.uow import UnitOfWork
from boh.org import imports as org_imports
from boh.org.cli import tenant_id_by_code

KINDS = ("sites", "users", "items", "suppliers", "supplier_items", "assortment")


def _import(uow: UnitOfWork, kind: str, filename: str, data: bytes) -> str:
    if kind in ("sites", "users"):
        fn = org_imports.import_sites if kind == "sites" else org_imports.import_users
        o = fn(uow, filename, data)
        return f"{o.rows} rows: {o.created} created, {o.updated} updated"
    from boh.catalog import imports as catalog_imports

    c = catalog_imports.import_table(uow, kind, filename, data)
    return f"{c.rows} rows: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"


def _export(uow: UnitOfWork, kind: str, fmt: str) -> bytes:
    if kind == "sites":
        return org_imports.export_sites(uow, fmt)
    if kind == "users":
        return org_imports.export_users(uow, fmt)
    from boh.catalog import imports as catalog_imports

    return catalog_imports.export_table(uow, kind, fmt)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise typer.BadParameter(f"kind must be one of: {', '.join(KINDS)}")


def register(app: typer.Typer, get_runtime: Callable[[], Runtime]) -> None:

    @app.command("import")
    def import_(
        kind: Annotated[str, typer.Argument(help="sites | users | items | suppliers | supplier_items | assortment")],
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        tenant: Annotated[str, typer.Option(help="Tenant code")],
    ) -> None:
        """Import a CSV or XLSX file: every error is listed, and nothing is written unless all rows are valid."""
        _check_kind(kind)
        rt = get_runtime()
        with rt.system_uow(0) as probe:
            tid = tenant_id_by_code(probe, tenant)
        with rt.system_uow(tid) as uow, steps(2, f"Importing {kind}") as step:
            try:
                step("checking every row")
                summary = _import(uow, kind, file.name, file.read_bytes())
                step("saving")
            except ValidationFailed as exc:
                typer.echo(f"{exc.detail}:", err=True)
                for e in exc.errors:
                    where = f"row {e.row}, column {e.column}" if e.row else ".".join(map(str, e.loc))
                    typer.echo(f"  {where}: {e.message}", err=True)
                raise typer.Exit(1) from exc
            uow.commit()
        typer.echo(f"imported {kind}: {summary}")

    @app.command("export")
    def export(
        kind: Annotated[str, typer.Argument(help="sites | users | items | suppliers | supplier_items | assortment")],
        tenant: Annotated[str, typer.Option(help="Tenant code")],
        format: Annotated[str, typer.Option("--format", "-f", help="csv or xlsx")] = "csv",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: standard output)")] = None,
    ) -> None:
        """Export master data as CSV or XLSX (the same columns the import takes)."""
        _check_kind(kind)
        if format not in ("csv", "xlsx"):
            raise typer.BadParameter("format must be csv or xlsx")
        rt = get_runtime()
        with rt.system_uow(0) as probe:
            tid = tenant_id_by_code(probe, tenant)
        with rt.system_uow(tid) as uow:
            data = _export(uow, kind, format)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
            typer.echo(f"wrote {output}")

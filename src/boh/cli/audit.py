"""``boh audit``: verify the audit chains against their signed checkpoints, write checkpoints, make a key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from boh.bootstrap import Runtime


def register_group(app: typer.Typer, runtime: Callable[[], Runtime]) -> None:
    """``boh audit``: the group, for the lazy root (boh.cli.lazy)."""
    audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")
    register(audit_app, runtime)


def register(audit_app: typer.Typer, runtime: Callable[[], Runtime]) -> None:
    @audit_app.command("verify")
    def audit_verify() -> None:
        """Walk every audit chain and check it against its latest signed checkpoint (exit 1 on any problem:
        an edited, deleted, reordered or truncated record, a rewritten chain, a tenant without a chain)."""
        from boh.worker import audit

        bad = False
        for r in audit.verify(runtime()):
            pinned = f", checkpoint at seq {r.checkpoint_seq}" if r.checkpoint_seq is not None else ", no checkpoint"
            if r.problem is None:
                typer.echo(f"chain {r.chain_id}: {r.records} records OK{pinned}")
            else:
                bad = True
                p = r.problem
                typer.echo(f"chain {r.chain_id}: BROKEN at seq {p.seq} ({p.kind}): {p.message}", err=True)
        if bad:
            raise typer.Exit(1)

    @audit_app.command("checkpoint")
    def audit_checkpoint() -> None:
        """Sign the head of every chain that moved since its last checkpoint and store it outside the database."""
        from boh.worker import audit

        written = audit.checkpoint(runtime())
        for cp in written:
            typer.echo(f"chain {cp.chain_id}: checkpoint at seq {cp.seq} (key {cp.key_id})")
        typer.echo(f"{len(written)} checkpoint(s) written")

    @audit_app.command("keygen")
    def audit_keygen(
        path: Annotated[Path | None, typer.Option(help="Where to write the private key (default: the setting)")] = None,
    ) -> None:
        """Create the Ed25519 signing key (never overwrites one) and print its key id and public key."""
        from boh.kernel.audit_checkpoints import key_id, load_keys, public_key_b64
        from boh.settings import get_settings

        settings = get_settings()
        target = path or settings.audit.signing_key_path or settings.data_dir / "audit-signing-key.pem"
        if target.exists():
            typer.echo(f"{target} already exists; not overwritten", err=True)
            raise typer.Exit(1)
        cfg = settings.model_copy(
            update={"audit": settings.audit.model_copy(update={"signing_key_path": target, "generate_key": True})}
        )
        public = load_keys(cfg).private.public_key()
        typer.echo(f"key written to {target} (mode 0600)")
        typer.echo(f"key id: {key_id(public)}")
        typer.echo(f"public key (for audit.trusted_public_keys when you rotate it): {public_key_b64(public)}")

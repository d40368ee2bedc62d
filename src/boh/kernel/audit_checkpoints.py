"""Signed checkpoints of the audit chains, kept outside the database.

The chain (``kernel.audit``) is unkeyed: whoever can write SQL can delete its newest records and roll its
head back, delete a whole chain, or edit a record and recompute every hash after it, and the chain still
verifies. A checkpoint pins a chain's head (seq and hash) with an Ed25519 signature, in a ``BlobStore``
(a directory by default, S3-compatible storage by configuration), so the database alone cannot undo it:

- ``write_checkpoints`` signs the head of every chain that moved since its last checkpoint (a worker job
  every ``audit.checkpoint_minutes``, and ``boh audit checkpoint``);
- ``verify_all`` walks every chain, then checks it against its latest checkpoint: the record at the
  checkpoint's seq must exist with the checkpoint's hash. Every chain that has a checkpoint, and every
  chain that must exist (each tenant's), must have records.

Changes made after the latest checkpoint are only as safe as the chain alone: checkpoint often.

Keys: the private key is a PEM file outside the database (``audit.signing_key_path``, default
``<data_dir>/audit-signing-key.pem``, mode 0600), generated on first use with a warning naming its path
unless ``audit.generate_key`` is false (production: mount it from a secret). Each checkpoint names its
key id (first 16 hex digits of the SHA-256 of the raw public key). Verification accepts the current key
and every public key listed in ``audit.trusted_public_keys`` (base64 of the raw 32 bytes), which is how
a key is rotated: list the old public key, then replace the private key file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from boh.kernel.audit import AuditHead, AuditRecord, ChainProblem, chain_ids, verify_chain
from boh.kernel.blobs import BlobStore
from boh.kernel.clock import utcnow
from boh.kernel.errors import BohError
from boh.kernel.events import canonical_json

if TYPE_CHECKING:
    from boh.settings import Settings

log = logging.getLogger("boh.audit")
PREFIX = "audit/checkpoints/"


class SigningKeyMissing(BohError):
    code = "audit.signing_key_missing"
    status = 500
    title = "Audit signing key missing"


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_b64(public: Ed25519PublicKey) -> str:
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


@dataclass(frozen=True)
class Keys:
    private: Ed25519PrivateKey
    trusted: dict[str, Ed25519PublicKey]  # key id -> public key, the current key's included

    @property
    def key_id(self) -> str:
        return key_id(self.private.public_key())


def _key_path(settings: Settings) -> Path:
    return settings.audit.signing_key_path or settings.data_dir / "audit-signing-key.pem"


def _generate(path: Path) -> Ed25519PrivateKey:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:  # never overwrite an existing key
        fh.write(pem)
    path.chmod(0o600)
    log.warning(
        "generated a new audit signing key at %s (key id %s): keep it outside the database and its backups, "
        "back it up separately, and list its public key in audit.trusted_public_keys when you rotate it",
        path,
        key_id(private.public_key()),
    )
    return private


def load_keys(settings: Settings) -> Keys:
    path = _key_path(settings)
    if path.exists():
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key")
    elif settings.audit.generate_key:
        private = _generate(path)
    else:
        raise SigningKeyMissing(
            f"no audit signing key at {path}: create one with `boh audit keygen` and mount it there "
            "(or set BOH_AUDIT__SIGNING_KEY_PATH)"
        )
    trusted = {key_id(private.public_key()): private.public_key()}
    for b64 in settings.audit.trusted_public_keys:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(b64))
        trusted[key_id(public)] = public
    return Keys(private, trusted)


@dataclass(frozen=True)
class Checkpoint:
    chain_id: int
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        body = asdict(self)
        body.pop("signature")
        return canonical_json({"v": 1, **body}).encode()

    @property
    def blob_key(self) -> str:
        return f"{PREFIX}{self.chain_id}/{self.seq:015d}.json"


def sign(keys: Keys, chain_id: int, seq: int, hash_: str) -> Checkpoint:
    cp = Checkpoint(chain_id, seq, hash_, utcnow().isoformat(), keys.key_id)
    signature = base64.b64encode(keys.private.sign(cp.payload())).decode()
    return Checkpoint(**{**asdict(cp), "signature": signature})


def check_signature(keys: Keys, cp: Checkpoint) -> str | None:
    """None if ``cp`` is signed by a trusted key, else why not."""
    public = keys.trusted.get(cp.key_id)
    if public is None:
        return f"checkpoint seq {cp.seq} is signed by key {cp.key_id}, which is not trusted"
    try:
        public.verify(base64.b64decode(cp.signature), cp.payload())
    except (InvalidSignature, ValueError):
        return f"checkpoint seq {cp.seq} has an invalid signature: it was altered"
    return None


def _parse(data: bytes) -> Checkpoint:
    raw = json.loads(data)
    return Checkpoint(int(raw["chain_id"]), int(raw["seq"]), raw["hash"], raw["at"], raw["key_id"], raw["signature"])


def checkpointed_chains(store: BlobStore) -> set[int]:
    return {int(k[len(PREFIX) :].split("/", 1)[0]) for k in store.list(PREFIX)}


def latest(store: BlobStore, chain_id: int) -> Checkpoint | None:
    keys = store.list(f"{PREFIX}{chain_id}/")
    return _parse(store.get(keys[-1])) if keys else None


def write_checkpoints(
    session: Session, store: BlobStore, keys: Keys, chains: list[int] | None = None
) -> list[Checkpoint]:
    """Sign and store the head of every chain (or of ``chains``) that moved since its latest checkpoint."""
    written = []
    heads = select(AuditHead).order_by(AuditHead.chain_id)
    if chains is not None:
        heads = heads.where(AuditHead.chain_id.in_(chains))
    for head in session.scalars(heads):
        last = latest(store, head.chain_id)
        if head.seq == 0 or (last is not None and last.seq == head.seq and last.hash == head.hash):
            continue
        cp = sign(keys, head.chain_id, head.seq, head.hash)
        store.put(cp.blob_key, json.dumps(asdict(cp), indent=1).encode(), "application/json")
        written.append(cp)
    return written


def check_against(session: Session, keys: Keys, cp: Checkpoint) -> ChainProblem | None:
    """The chain's record at the checkpoint's seq must still be there, with the checkpoint's hash."""
    bad = check_signature(keys, cp)
    if bad is not None:
        return ChainProblem(cp.chain_id, cp.seq, None, "checkpoint", bad)
    rec = session.scalars(
        select(AuditRecord).where(AuditRecord.chain_id == cp.chain_id, AuditRecord.seq == cp.seq)
    ).first()
    if rec is None:
        return ChainProblem(
            cp.chain_id,
            cp.seq,
            None,
            "truncated",
            f"the checkpoint of {cp.at} pins seq {cp.seq}, which is gone: the newest records were deleted",
        )
    if rec.hash != cp.hash:
        return ChainProblem(
            cp.chain_id,
            cp.seq,
            rec.id,
            "rewritten",
            f"record seq {cp.seq} does not have the hash the checkpoint of {cp.at} pins: the chain was rewritten",
        )
    return None


@dataclass(frozen=True)
class ChainReport:
    chain_id: int
    records: int
    checkpoint_seq: int | None
    problem: ChainProblem | None


def verify_all(session: Session, store: BlobStore, keys: Keys, required: set[int]) -> list[ChainReport]:
    """Every chain in the database, with a checkpoint, or ``required`` (each tenant's): walked and checked
    against its latest checkpoint."""
    reports = []
    for cid in sorted(set(chain_ids(session)) | checkpointed_chains(store) | required):
        checked, problem = verify_chain(session, cid)
        cp = latest(store, cid)
        if problem is None and checked == 0:
            what = f"its checkpoint pins seq {cp.seq}" if cp is not None else "its tenant exists"
            problem = ChainProblem(cid, 1, None, "missing", f"the chain has no records but {what}: it was deleted")
        if problem is None and cp is not None:
            problem = check_against(session, keys, cp)
        reports.append(ChainReport(cid, checked, cp.seq if cp else None, problem))
    return reports

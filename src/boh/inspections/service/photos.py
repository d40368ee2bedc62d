"""Photo use cases: a photo of a visit's item, of an action's evidence or a template's reference, checked by
decoding it and stored (original and thumbnail) in the photo store before its row is written; a retry with the
same client_id returns the first upload. Blobs are content-addressed under the tenant, so a retry that
writes them again writes the same bytes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from boh.inspections import models, photos
from boh.inspections.adapters import BlobStore
from boh.inspections.errors import PhotoNotFound, WrongStatus
from boh.inspections.service._common import A_READ, A_WRITE, T_READ, T_WRITE, V_READ, action, settings, user_id
from boh.inspections.service._common import template as template_row
from boh.inspections.service._common import visit as visit_row
from boh.inspections.service.visits import _open
from boh.kernel.errors import FieldError, ValidationFailed
from boh.kernel.tenancy import Scope
from boh.kernel.uow import UnitOfWork
from boh.org.api import get_site_ref


@dataclass(frozen=True)
class Target:
    """What the photo belongs to: exactly one of a visit (with its item), an action or a template."""

    visit_id: int | None = None
    item_key: str | None = None
    action_id: int | None = None
    template_id: int | None = None


def _store(uow: UnitOfWork, store: BlobStore, data: bytes, timezone: str) -> tuple[photos.CheckedPhoto, str, str]:
    cfg = settings(uow)
    checked = photos.check(data, max_bytes=cfg.max_photo_mb * 1024 * 1024, timezone=timezone)
    base = f"inspections/{uow.tenant_id}/{checked.sha256[:2]}/{checked.sha256}"
    ext = checked.content_type.split("/")[1]
    key, thumb = f"{base}.{ext}", f"{base}.thumb.jpeg"
    store.put(key, data, checked.content_type)
    store.put(thumb, checked.thumbnail, "image/jpeg")
    return checked, key, thumb


def _resolve(uow: UnitOfWork, target: Target) -> tuple[int | None, str]:
    """Check the caller may add to the target; its site and timezone."""
    if target.visit_id is not None:
        row, definition = _open(uow, target.visit_id)
        item = definition.item(target.item_key or "")
        if item is None:
            raise ValidationFailed([FieldError(("item_key",), f"no item '{target.item_key}'", "unknown_reference")])
        return row.site_id, get_site_ref(uow.session, Scope(uow.tenant_id), row.site_id).timezone
    if target.action_id is not None:
        act = action(uow, target.action_id, A_WRITE, lock=True)
        if act.status == "accepted":
            raise WrongStatus(f"action {act.id} is closed")
        return act.site_id, get_site_ref(uow.session, Scope(uow.tenant_id), act.site_id).timezone
    uow.principal.scope(T_WRITE)
    template_row(uow, target.template_id or 0)
    return None, "UTC"


def add_photo(uow: UnitOfWork, store: BlobStore, target: Target, data: bytes, client_id: str) -> models.Photo:
    existing = uow.session.scalars(
        select(models.Photo).where(models.Photo.tenant_id == uow.tenant_id, models.Photo.client_id == client_id)
    ).first()
    site_id, tz = _resolve(uow, target)
    if existing is not None:
        return existing
    checked, key, thumb = _store(uow, store, data, tz)
    row = models.Photo(
        tenant_id=uow.tenant_id, visit_id=target.visit_id, item_key=target.item_key, action_id=target.action_id,
        template_id=target.template_id, site_id=site_id, client_id=client_id, sha256=checked.sha256,
        content_type=checked.content_type, size_bytes=checked.size_bytes, width=checked.width, height=checked.height,
        captured_at=checked.captured_at, uploaded_by=user_id(uow),
        blob_key=key, thumb_key=thumb,
    )  # fmt: skip
    uow.session.add(row)
    uow.flush()
    after = {"sha256": row.sha256, "visit": row.visit_id, "action": row.action_id, "item": row.item_key}
    uow.audit("inspections.photo.add", "inspections_photo", row.id, after=after)
    return row


def readable_photo(uow: UnitOfWork, photo_id: int) -> models.Photo:
    """A photo the caller may see: of a visit they may read, an action they may read, or a template."""
    row = uow.session.get(models.Photo, photo_id)
    if row is None or row.tenant_id != uow.tenant_id:
        raise PhotoNotFound(f"photo {photo_id} not found")
    try:
        if row.visit_id is not None:
            visit_row(uow, row.visit_id, V_READ)
        elif row.action_id is not None:
            action(uow, row.action_id, A_READ)
        else:
            uow.principal.scope(T_READ)
    except Exception as exc:
        raise PhotoNotFound(f"photo {photo_id} not found") from exc
    return row
